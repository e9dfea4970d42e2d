"""One agent per display: the second is refused, naming the first; the lock ends with its owner."""

from __future__ import annotations

import os

import pytest

from hotkeys.errors import AgentRunningError
from hotkeys.x11.instance import AgentLock, running_agent
from tests.hotkeys.xapps import Xvfb


def test_a_second_agent_on_the_same_display_is_refused(xvfb: Xvfb) -> None:
    first = AgentLock(xvfb.name)
    try:
        assert running_agent(xvfb.name) == os.getpid()
        with pytest.raises(AgentRunningError, match=f"process {os.getpid()}.*{xvfb.name}"):
            AgentLock(xvfb.name)
    finally:
        first.release()
    assert running_agent(xvfb.name) is None
    again = AgentLock(xvfb.name)  # the display is free again
    again.release()
