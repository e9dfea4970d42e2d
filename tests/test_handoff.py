"""Thread-to-loop handoff: every item arrives, in order, and the first one without delay."""

from __future__ import annotations

import asyncio
import threading
import time

from daemon.engines.handoff import Handoff


async def test_items_from_a_thread_arrive_in_order_and_batched() -> None:
    handoff: Handoff[int] = Handoff(asyncio.get_running_loop(), gather_s=0.02)

    def produce() -> None:
        for number in range(200):
            handoff.put(number)
            time.sleep(0.001)
        handoff.put(-1)

    threading.Thread(target=produce).start()
    received: list[int] = []
    batches = 0
    async for batch in handoff.batches():
        batches += 1
        received += batch
        if received[-1] == -1:
            break
    assert received == [*range(200), -1]
    assert batches < 150  # gathered, not one wake per item


async def test_first_item_is_not_held_back() -> None:
    handoff: Handoff[str] = Handoff(asyncio.get_running_loop(), gather_s=5.0)
    handoff.put("first")
    threading.Timer(0.05, handoff.put, ("second",)).start()
    started = time.monotonic()
    async for batch in handoff.batches():
        if batch == ["second"]:
            break
    assert time.monotonic() - started < 2.0  # far below the 5 s gathering time
