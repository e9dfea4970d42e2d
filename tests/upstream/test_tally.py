"""A rewrite's answer says which engine answered its pieces, honestly when both did."""

from __future__ import annotations

import asyncio

from daemon.upstream.tally import note, start_tally, summary

UPSTREAM = {"sottovoce": {"answered_by": "upstream", "server": "198.18.0.2:8443"}}
LOCAL = {"sottovoce": {"answered_by": "local"}}


def test_one_engine_is_named_and_both_are_counted() -> None:
    tally = start_tally()
    note(UPSTREAM)
    note(UPSTREAM)
    assert summary(tally) == {"answered_by": "upstream"}
    note(LOCAL)
    assert summary(tally) == {
        "answered_by": "mixed",
        "answered_by_calls": {"upstream": 2, "local": 1},
    }


def test_no_marker_no_claim() -> None:
    tally = start_tally()
    note({"choices": []})  # a local engine without clinic mode says nothing
    assert summary(tally) == {}


async def test_concurrent_rewrites_count_their_own() -> None:
    async def rewrite(marker: dict[str, object], calls: int) -> dict[str, object]:
        tally = start_tally()
        for _ in range(calls):
            note(marker)
            await asyncio.sleep(0)  # the other rewrite runs in between
        return summary(tally)

    one, other = await asyncio.gather(rewrite(UPSTREAM, 3), rewrite(LOCAL, 2))
    assert one == {"answered_by": "upstream"} and other == {"answered_by": "local"}
