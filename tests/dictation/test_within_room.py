"""A dictation's maximum length: audio past it is dropped, and the dictation says so."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from daemon.dictation.stream import within_room


def test_audio_that_fits_is_kept_whole() -> None:
    samples = np.ones(100, np.float32)
    kept, truncated = within_room(samples, 100, False)
    assert len(kept) == 100 and truncated is False


def test_audio_past_the_room_is_cut_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    kept, truncated = within_room(np.ones(100, np.float32), 60, False)
    assert len(kept) == 60 and truncated is True
    kept, truncated = within_room(np.ones(100, np.float32), 0, truncated)
    assert len(kept) == 0 and truncated is True
    assert caplog.text.count("maximum length") == 1
