"""Deletion leaves no trace, and retention deletes closed sessions on time.

The canary test writes a unique string on a board (item, edit, closed snapshot,
export), deletes the session with the facilitator's DELETE, and then looks for the
string everywhere the session lived: the raw bytes of the SQLite file and its -wal
and -shm files, and the server's whole log output. A second session's text, kept,
proves that the byte search finds what is there.

The store surfaces are a parameter: the Redis store adds a ``redis`` case whose
``scan`` returns the bytes of every key (and value) under the server's prefix.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from server.retention import DAY_MS, purge_expired
from server.store.base import SessionMeta
from server.store.sqlite import SqliteStore
from tests.support import http
from tests.support.client import BoardClient, run
from tests.support.redis import own_redis
from tests.support.server import ROOT, ServerProcess, Session

Scan = Callable[[ServerProcess], bytes]
"""Everything a store holds, as raw bytes."""


def scan_sqlite(server: ServerProcess) -> bytes:
    files = sorted(server.data_dir.glob("intervisiebord.sqlite3*"))
    assert any(f.name.endswith(".sqlite3") for f in files), files
    return b"".join(path.read_bytes() for path in files)


def scan_redis(redis_dir: Path, url: str) -> Scan:
    """Every key and value in the test's own Redis (several hubs' store), plus its
    append-only files on disk once a rewrite that is under way has finished."""

    def scan(server: ServerProcess) -> bytes:
        with redis.Redis.from_url(url) as client:
            until_rewritten(client)
            held = []
            for key in client.scan_iter(count=1000):
                held.append(key)
                kind = client.type(key)
                if kind == b"string":
                    held.append(client.get(key) or b"")
                elif kind == b"hash":
                    held.extend(b"".join(kv) for kv in client.hgetall(key).items())
                elif kind == b"stream":
                    held.extend(v for _, fields in client.xrange(key)
                                for kv in fields.items() for v in kv)
                elif kind == b"zset":
                    held.extend(client.zrange(key, 0, -1))
                elif kind == b"set":  # the attendance record's members and roles
                    held.extend(client.smembers(key))
                else:
                    raise AssertionError(f"unexpected key type {kind!r} of {key!r}")
        on_disk = [p.read_bytes() for p in sorted(redis_dir.rglob("*.aof"))]
        return b"\n".join([*held, *on_disk])

    return scan


def until_rewritten(client: redis.Redis, timeout: float = 10.0) -> None:
    """Wait for a scheduled or running append-only-file rewrite to finish."""
    deadline = time.monotonic() + timeout
    while True:
        info = client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return
        assert time.monotonic() < deadline, "the AOF rewrite did not finish"


STORES: dict[str, tuple[tuple[str, ...], Scan]] = {
    # store name -> (extra server arguments, scan of what the store holds)
    "sqlite": ((), scan_sqlite),
}


async def write_and_close(server: ServerProcess, session: Session, text: str,
                          close: bool = True) -> list[BoardClient]:
    fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
    anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")
    await fac.connect()
    await anouk.connect()
    reply = await anouk.call("add_item", item_id="canary", section="checkin", text=text)
    assert reply["type"] == "applied", reply
    reply = await anouk.call("edit_item", item_id="canary", text=text + " (bijgewerkt)")
    assert reply["type"] == "applied", reply
    if close:
        assert (await fac.call("close_session"))["type"] == "applied"
    return [fac, anouk]


@pytest.mark.parametrize("store", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_deleted_session_leaves_no_trace(tmp_path: Path, store: str) -> None:
    if store == "redis":
        # a Redis of the test's own, so everything in it can be searched
        with own_redis(tmp_path / "redis") as own:
            canary_test(tmp_path, ("--redis-url", own.url), scan_redis(own.dir, own.url))
    else:
        canary_test(tmp_path, *STORES[store])


def canary_test(tmp_path: Path, args: tuple[str, ...], scan: Scan) -> None:
    # debug: the most talkative log level must not leak board texts either
    server = ServerProcess(tmp_path / "data", None, *args, "--log-level", "debug").start()
    canary = f"kanarie{secrets.token_hex(6)}"  # short: debug logs show a frame's tail
    keeper = f"blijft-{secrets.token_hex(12)}"
    doomed, kept = server.create_session(), server.create_session()

    async def scenario() -> None:
        members = await write_and_close(server, doomed, canary)
        await write_and_close(server, kept, keeper, close=False)
        answer = http.export(server, doomed.id, doomed.invite_token, "json")
        assert canary in answer.body.decode()
        assert canary.encode() in scan(server), "the search must find the text before"
        assert http.delete(server, doomed.id, doomed.facilitator_token).status == 204
        for member in members:
            await member.until(lambda m=member: m.close_code is not None)
            assert member.close_code == 4005

    try:
        run(scenario)
        held = scan(server)
        assert canary.encode() not in held
        assert canary[7:].encode() not in held  # not even the random part
        assert keeper.encode() in held, "the other session must be untouched"
        assert http.export(server, doomed.id, doomed.facilitator_token, "md").status == 404
    finally:
        server.stop()
    assert canary.encode() not in scan(server), "nothing came back at shutdown"
    log = "".join(server.output)
    assert f" action=delete session={doomed.id}" in log
    assert canary not in log and canary[7:] not in log


# -- retention ------------------------------------------------------------------------------


def test_purge_deletes_only_sessions_closed_longer_than_the_retention(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = SqliteStore(tmp_path / "db.sqlite3")
        now = 1_800_000_000_000
        for name in ("old", "recent", "open"):
            meta = SessionMeta(id=name * 4, title=name, method="tienstappen", language="nl",
                               created_ms=now - 40 * DAY_MS, epoch="e", facilitator_hash="f",
                               invite_hash="i")
            await store.create_session(meta, b"snapshot of " + name.encode())
        await store.close_session("old" * 4, 1, b"final old", now - 31 * DAY_MS)
        await store.close_session("recent" * 4, 1, b"final recent", now - 29 * DAY_MS)
        assert await purge_expired(store, None, 30, now) == 1
        assert await store.get_session("old" * 4) is None
        assert await store.load_snapshot("old" * 4) is None
        assert await store.get_session("recent" * 4) is not None
        assert await store.get_session("open" * 4) is not None
        assert await purge_expired(store, None, 30, now + 2 * DAY_MS) == 1  # now "recent"
        assert await store.get_session("open" * 4) is not None
        # a late write for a deleted session stores nothing
        await store.append("old" * 4, [(5, b"late op")])
        await store.save_snapshot("old" * 4, 9, b"late snapshot")
        assert await store.read_log("old" * 4, 0) == []
        assert await store.load_snapshot("old" * 4) is None
        await store.close()
        assert b"final old" not in (tmp_path / "db.sqlite3").read_bytes()

    asyncio.run(scenario())


def test_retention_by_the_server_sweep_and_the_purge_command(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    first, second, still_open = (server.create_session() for _ in range(3))

    async def scenario() -> None:
        await write_and_close(server, first, "eerste")
        await write_and_close(server, second, "tweede")
        await write_and_close(server, still_open, "open", close=False)

    try:
        run(scenario)
        server.stop()
        # the purge command, with the server stopped: deletes both closed sessions
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", "purge", "--data-dir", str(server.data_dir),
             "--retention-days", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "deleted 2 closed session(s)" in done.stdout
        server.start()
        for session in (first, second):
            assert http.export(server, session.id, session.facilitator_token, "md").status == 404
        assert http.export(server, still_open.id, still_open.facilitator_token,
                           "md").status == 409
        # the server's own sweep runs at start: close one more, restart with 0 days
        third = server.create_session()

        async def close_third() -> None:
            await write_and_close(server, third, "derde")

        run(close_third)
        assert http.export(server, third.id, third.facilitator_token, "md").status == 200
        server.stop()
        server.args = ("--retention-days", "0")
        server.start()
        assert http.export(server, third.id, third.facilitator_token, "md").status == 404
        assert http.export(server, still_open.id, still_open.facilitator_token,
                           "md").status == 409
        assert "retention: deleted 1 closed session(s)" in "".join(server.output)
    finally:
        server.stop()
