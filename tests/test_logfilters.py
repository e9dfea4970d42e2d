"""The log filters: library records lose request content, and repeats are rate-limited."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from daemon.logfilters import RateLimit, ScrubRequestContent


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def captured(clock: Clock) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubRequestContent())
    handler.addFilter(RateLimit(burst=3, period=60.0, clock=clock))
    logger = logging.getLogger("tests.logfilters")
    library = logging.getLogger("aiohttp.server")
    for each in (logger, library):
        each.addHandler(handler)
        each.propagate = False
    yield stream
    for each in (logger, library):
        each.removeHandler(handler)
        each.propagate = True


def test_an_aiohttp_traceback_keeps_only_its_type(captured: io.StringIO) -> None:
    try:
        raise ValueError("Got more than 8190 bytes when reading: bytearray(b'/v1/history?q=Doe')")
    except ValueError:
        logging.getLogger("aiohttp.server").exception("Error handling request from %s", "Doe")
    text = captured.getvalue()
    assert "Doe" not in text and "8190" not in text
    assert "Error handling request from … (ValueError) [request content not logged]" in text


def test_our_own_records_pass_unchanged(captured: io.StringIO) -> None:
    logging.getLogger("tests.logfilters").warning("model %s loaded", "whisper-base")
    assert captured.getvalue() == "model whisper-base loaded\n"


def test_a_repeated_line_is_cut_to_the_burst_then_counted(
    captured: io.StringIO, clock: Clock
) -> None:
    logger = logging.getLogger("tests.logfilters")
    for n in range(500):
        logger.error("accept failed %d", n)
    assert captured.getvalue().count("accept failed") == 3
    logger.error("something else")
    assert "something else" in captured.getvalue()
    clock.now = 61.0
    logger.error("accept failed %d", 500)
    assert captured.getvalue().splitlines()[-1] == (
        "accept failed 500 [497 more like this suppressed]"
    )


def test_informational_lines_are_never_dropped(captured: io.StringIO) -> None:
    logger = logging.getLogger("tests.logfilters")
    logger.setLevel(logging.INFO)
    try:
        for n in range(50):
            logger.info("dictation inserted %d", n)
    finally:
        logger.setLevel(logging.NOTSET)
    assert captured.getvalue().count("dictation inserted") == 50
