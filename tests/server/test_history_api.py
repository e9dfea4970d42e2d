"""History through the API: transcriptions and rewrites are recorded, read, searched, deleted."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from tests.support.daemon import RunningDaemon, sottovoce, start_daemon, write_config
from tests.support.speech import ALSA_SOUNDS


async def _json(
    session: aiohttp.ClientSession, method: str, url: str, **kwargs: object
) -> tuple[int, dict[str, object]]:
    async with session.request(method, url, **kwargs) as response:  # type: ignore[arg-type]
        return response.status, await response.json()


async def _transcribe(session: aiohttp.ClientSession, daemon: RunningDaemon, name: str) -> str:
    form = aiohttp.FormData()
    form.add_field("file", io.BytesIO((ALSA_SOUNDS / name).read_bytes()), filename=name)
    status, body = await _json(
        session,
        "POST",
        daemon.base_url + "/v1/audio/transcriptions",
        data=form,
        headers=daemon.headers,
    )
    assert status == 200
    return str(body["text"])


async def test_transcription_is_recorded_and_searchable(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession() as session:
        text = await _transcribe(session, daemon, "Rear_Center.wav")
        status, page = await _json(
            session, "GET", daemon.base_url + "/v1/history?limit=5", headers=daemon.headers
        )
        assert status == 200
        newest = page["data"][0]  # type: ignore[index]
        assert newest["kind"] == "transcription" and newest["output_text"] == text
        assert newest["audio_seconds"] > 0
        status, found = await _json(
            session, "GET", daemon.base_url + "/v1/history?q=center", headers=daemon.headers
        )
        assert any(e["id"] == newest["id"] for e in found["data"])  # type: ignore[union-attr]
        status, one = await _json(
            session, "GET", f"{daemon.base_url}/v1/history/{newest['id']}", headers=daemon.headers
        )
        assert status == 200 and one["output_text"] == text


async def test_rewrite_is_recorded_with_fidelity(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession() as session:
        status, result = await _json(
            session,
            "POST",
            daemon.base_url + "/v1/rewrite",
            json={"text": "Zebrafish denies fever, 38 C today."},
            headers=daemon.headers,
        )
        assert status == 200
        status, found = await _json(
            session, "GET", daemon.base_url + "/v1/history?q=zebrafish", headers=daemon.headers
        )
        entry = found["data"][0]  # type: ignore[index]
        assert entry["kind"] == "rewrite"
        assert entry["input_text"] == "Zebrafish denies fever, 38 C today."
        assert entry["output_text"] == result["text"]
        assert entry["fidelity"] == {
            key: value for key, value in result["fidelity"].items() if key != "summary"
        }


async def test_paging_is_stable(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            await _transcribe(session, daemon, "Front_Center.wav")
        _, first = await _json(
            session, "GET", daemon.base_url + "/v1/history?limit=2", headers=daemon.headers
        )
        assert first["has_more"] is True
        await _transcribe(session, daemon, "Front_Center.wav")  # a new entry between pages
        _, second = await _json(
            session,
            "GET",
            f"{daemon.base_url}/v1/history?limit=2&before={first['next_before']}",
            headers=daemon.headers,
        )
        first_ids = [e["id"] for e in first["data"]]  # type: ignore[union-attr]
        second_ids = [e["id"] for e in second["data"]]  # type: ignore[union-attr]
        assert max(second_ids) < min(first_ids)
        assert not set(first_ids) & set(second_ids)


@pytest.mark.parametrize(
    "method, path, status, expected",
    [
        ("GET", "/v1/history/999999", 404, "no history entry"),
        ("DELETE", "/v1/history/999999", 404, "no history entry"),
        ("GET", "/v1/history/abc", 400, "integer"),
        ("GET", "/v1/history?limit=abc", 400, "limit"),
        ("GET", "/v1/history?limit=0", 400, "limit"),
        ("GET", "/v1/history?limit=501", 400, "between 1 and 500"),
        ("GET", "/v1/history?before=-4", 400, "before"),
        ("GET", "/v1/history?sort=asc", 400, "unknown query parameter"),
        ("GET", "/v1/history?q=", 400, "q must be"),
        ("DELETE", "/v1/history", 400, "confirm=true"),
    ],
)
async def test_bad_history_requests(
    daemon: RunningDaemon, method: str, path: str, status: int, expected: str
) -> None:
    async with aiohttp.ClientSession() as session:
        got, body = await _json(session, method, daemon.base_url + path, headers=daemon.headers)
    assert got == status
    assert expected in body["error"]["message"]  # type: ignore[index]


async def test_hostile_search_text_is_safe(daemon: RunningDaemon) -> None:
    async with aiohttp.ClientSession() as session:
        for query in ['"unbalanced', "a OR", "NEAR(x y", "*", "col:umn"]:
            status, _ = await _json(
                session,
                "GET",
                daemon.base_url + "/v1/history",
                params={"q": query},
                headers=daemon.headers,
            )
            assert status == 200, query


def test_history_lifecycle_in_its_own_daemon(tmp_path: Path) -> None:
    """Delete one, audit, delete all, CLI export; concurrency; files stay encrypted."""
    home = tmp_path / "home"
    write_config(home, "[speech]\nload_at_start = false\n")
    daemon = start_daemon(home, wait_models=False)
    try:
        asyncio.run(_lifecycle(daemon))
    finally:
        assert daemon.stop() == 0
    db = home / "data" / "history.db"
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("select * from sqlite_master").fetchall()
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(db) + suffix)
        if part.exists():
            assert b"Secret zebra" not in part.read_bytes()
    export = tmp_path / "export.json"
    result = sottovoce("history", "export", str(export), home=home)
    assert result.returncode == 0, result.stderr
    assert export.stat().st_mode & 0o777 == 0o600
    audit = sottovoce("history", "audit", home=home).stdout
    for action in ("read", "search", "delete", "delete_all", "export"):
        assert action in audit
    assert "api" in audit and "cli" in audit


async def _lifecycle(daemon: RunningDaemon) -> None:
    from daemon.history.models import NewEntry  # noqa: F401  (documents what the API stores)

    async with aiohttp.ClientSession() as session:

        async def rewrite(i: int) -> int:
            body = {"text": f"Secret zebra number {i}", "instruction": "Repeat the text exactly."}
            status, _ = await _json(
                session, "POST", daemon.base_url + "/v1/rewrite", json=body, headers=daemon.headers
            )
            return status

        statuses = await asyncio.gather(*(rewrite(i) for i in range(4)))
        assert statuses == [200] * 4
        _, page = await _json(
            session,
            "GET",
            daemon.base_url + "/v1/history?q=zebra&limit=100",
            headers=daemon.headers,
        )
        ids = [e["id"] for e in page["data"]]  # type: ignore[union-attr]
        assert len(ids) == 4
        status, _ = await _json(
            session, "GET", f"{daemon.base_url}/v1/history/{ids[0]}", headers=daemon.headers
        )
        status, deleted = await _json(
            session, "DELETE", f"{daemon.base_url}/v1/history/{ids[0]}", headers=daemon.headers
        )
        assert status == 200 and deleted["deleted"] is True
        status, _ = await _json(
            session, "GET", f"{daemon.base_url}/v1/history/{ids[0]}", headers=daemon.headers
        )
        assert status == 404
        status, everything = await _json(
            session, "DELETE", daemon.base_url + "/v1/history?confirm=true", headers=daemon.headers
        )
        assert status == 200 and everything["deleted"] == 3
        # Create one more entry so that the CLI export has something to write.
        assert await rewrite(99) == 200


def test_history_off_stores_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(home, "[speech]\nload_at_start = false\n[history]\nenabled = false\n")
    daemon = start_daemon(home, wait_models=False)
    try:

        async def run() -> None:
            async with aiohttp.ClientSession() as session:
                status, _ = await _json(
                    session,
                    "POST",
                    daemon.base_url + "/v1/rewrite",
                    json={"text": "hello there"},
                    headers=daemon.headers,
                )
                assert status == 200
                status, body = await _json(
                    session, "GET", daemon.base_url + "/v1/history", headers=daemon.headers
                )
                assert status == 503 and "turned off" in body["error"]["message"]  # type: ignore[index]

        asyncio.run(run())
    finally:
        assert daemon.stop() == 0
    assert not (home / "data" / "history.db").exists()


def test_two_hundred_concurrent_api_writes_all_land(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(
        home,
        '[speech]\nmodel = "whisper-tiny.en"\nqueue_size = 256\n[llm]\nload_at_start = false\n',
    )
    daemon = start_daemon(home)
    silence = tmp_path / "silence.wav"
    import subprocess

    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(silence), "trim", "0", "0.5"], check=True
    )
    audio = silence.read_bytes()

    async def run() -> None:
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one() -> int:
                form = aiohttp.FormData()
                form.add_field("file", io.BytesIO(audio), filename="silence.wav")
                async with session.post(
                    daemon.base_url + "/v1/audio/transcriptions", data=form, headers=daemon.headers
                ) as response:
                    return response.status

            statuses = await asyncio.gather(*(one() for _ in range(200)))
            assert statuses == [200] * 200
            _, page = await _json(
                session, "GET", daemon.base_url + "/v1/history?limit=500", headers=daemon.headers
            )
            assert len(page["data"]) == 200  # type: ignore[arg-type]
            assert page["has_more"] is False

    try:
        asyncio.run(run())
    finally:
        assert daemon.stop() == 0
