"""The embedded log's appends on the event loop's thread: never waiting on a lock,
never losing a batch, checkpoints left to the worker."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.backplane.memory import MemoryBackplane
from server.core.records import Record, Sequenced, decode_sequenced
from server.store import sqlite as sqlite_store
from server.store.sqlite import SqliteStore
from shared_schema.client import SetReady
from tests.support.storage import session_meta


def _record(n: int) -> Record:
    return Record(client_id="c-test-0001", op_key=f"k{n}", op=SetReady(client_seq=n, ready=True))


@contextlib.asynccontextmanager
async def _one_session(tmp_path: Path) -> AsyncIterator[tuple[SqliteStore, str]]:
    """A store on a fresh file holding one session; closed afterwards."""
    store = SqliteStore(tmp_path / "db.sqlite3")
    try:
        meta, snapshot = session_meta("Casus")
        await store.create_session(meta, snapshot)
        yield store, meta.id
    finally:
        await store.close()


class _HeldLock:
    """The file's write lock, taken on the store's worker thread and held there until
    ``release`` (what a snapshot, a trim or a deletion does while it writes)."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._locked, self._release = threading.Event(), threading.Event()
        self._held: asyncio.Future[None] | None = None

    def _hold(self) -> None:
        self._store._db.execute("BEGIN IMMEDIATE")
        self._locked.set()
        self._release.wait(10)
        self._store._db.execute("COMMIT")

    async def take(self) -> None:
        self._held = asyncio.get_running_loop().run_in_executor(self._store._file._worker,
                                                                 self._hold)
        assert await asyncio.to_thread(self._locked.wait, 10)

    async def release(self) -> None:
        self._release.set()
        assert self._held is not None
        await self._held


def test_append_now_writes_nothing_while_the_worker_holds_the_lock(tmp_path: Path) -> None:
    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            assert store.append_now({room: [(1, b"one")]})
            lock = _HeldLock(store)
            await lock.take()
            assert not store.append_now({room: [(2, b"two")]})  # at once, not after 5 s
            append = asyncio.ensure_future(store.append_many({room: [(2, b"two")]}))
            await lock.release()
            await append  # queued behind the lock on the worker
            assert await store.read_log(room, 0) == [(1, b"one"), (2, b"two")]

    asyncio.run(main())


def test_a_failing_append_now_leaves_no_open_transaction(tmp_path: Path) -> None:
    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            assert store.append_now({room: [(1, b"one")]})
            with pytest.raises(sqlite3.IntegrityError):
                store.append_now({room: [(1, b"again")]})  # the same seq twice
            assert not store._log.in_transaction
            assert store.append_now({room: [(2, b"two")]})
            assert await store.read_log(room, 0) == [(1, b"one"), (2, b"two")]

    asyncio.run(main())


def test_the_backplane_delivers_every_op_in_order_around_a_held_lock(tmp_path: Path) -> None:
    """Ops published while the worker holds the file's lock go the worker's way and
    are delivered after it, in seq order, with those before and after them."""
    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            backplane = MemoryBackplane(store)
            await backplane.start()
            try:
                seen: list[int] = []
                await backplane.subscribe(room, lambda item: seen.append(item.seq),
                                          lambda _: None)
                assert [await backplane.publish(room, _record(n)) for n in (1, 2)] == [1, 2]

                handed = asyncio.Event()
                append_many = store.append_many

                async def handed_to_worker(batch: dict[str, list[tuple[int, bytes]]]) -> None:
                    handed.set()
                    await append_many(batch)

                store.append_many = handed_to_worker  # type: ignore[method-assign]
                lock = _HeldLock(store)
                await lock.take()
                waiting = [asyncio.ensure_future(backplane.publish(room, _record(n)))
                           for n in (3, 4, 5)]
                await handed.wait()  # the lock was busy: the batch went the worker's way
                assert seen == [1, 2] and not any(w.done() for w in waiting)
                await lock.release()
                assert await asyncio.gather(*waiting) == [3, 4, 5]
                assert await backplane.publish(room, _record(6)) == 6
                assert seen == [1, 2, 3, 4, 5, 6]
                logged: list[Sequenced] = [decode_sequenced(data)
                                           for _, data in await store.read_log(room, 0)]
                assert [item.seq for item in logged] == [1, 2, 3, 4, 5, 6]
            finally:
                await backplane.close()

    asyncio.run(main())


def test_the_worker_checkpoints_the_log_the_loop_writes(tmp_path: Path) -> None:
    """The loop's connection never checkpoints; every CHECKPOINT_EVERY appends the
    worker copies the write-ahead log back, so it does not grow without bound."""
    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            wal = tmp_path / "db.sqlite3-wal"
            sizes = []
            for seq in range(1, 4 * sqlite_store.CHECKPOINT_EVERY + 1):
                assert store.append_now({room: [(seq, b"x" * 300)]})
                if seq % sqlite_store.CHECKPOINT_EVERY == 0:
                    await store.last_seq(room)  # the worker ran what was queued before
                    sizes.append(wal.stat().st_size)
            # a checkpointed log is reused from its start: its file stops growing after
            # the first interval (without checkpoints it would grow by one each time)
            assert sizes[-1] < 1.5 * sizes[0], sizes
            assert await store.last_seq(room) == 4 * sqlite_store.CHECKPOINT_EVERY

    asyncio.run(main())


def test_appends_wait_for_a_checkpoint_a_whole_interval_late(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a checkpoint asked for and the worker busy elsewhere (holding no lock),
    the loop's connection takes one more interval of appends, then declines until the
    checkpoint ran; what it declined goes to the worker and nothing is lost."""
    every = 10
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_EVERY", every)

    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            busy, release = threading.Event(), threading.Event()

            def occupied() -> None:
                busy.set()
                release.wait(10)

            held = asyncio.get_running_loop().run_in_executor(store._file._worker, occupied)
            assert await asyncio.to_thread(busy.wait, 10)
            seq = 0
            for _ in range(2 * every):  # the first interval asks for the checkpoint
                seq += 1
                assert store.append_now({room: [(seq, b"x")]}), seq
            assert not store.append_now({room: [(seq + 1, b"x")]})
            declined = asyncio.ensure_future(store.append_many({room: [(seq + 1, b"x")]}))
            release.set()
            await held
            await declined  # behind the checkpoint on the worker
            assert store.append_now({room: [(seq + 2, b"x")]})
            logged = await store.read_log(room, 0)
            assert [s for s, _ in logged] == list(range(1, seq + 3))

    asyncio.run(main())


def test_the_log_stays_bounded_while_appends_never_pause(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A passive checkpoint never completes while appends go on; past
    WAL_RESTART_FRAMES the worker restarts the log, the appends meanwhile go to the
    worker behind it, and none is lost or reordered. This loop never blocks, so it
    keeps the worker thread from the interpreter lock for hundreds of appends at a
    time: the bound holds only because appends stop going on while a checkpoint is
    a whole interval late."""
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_EVERY", 50)
    monkeypatch.setattr(sqlite_store, "WAL_RESTART_FRAMES", 200)
    monkeypatch.setattr(sqlite_store, "WAL_LIMIT_BYTES", 1 << 20)
    appends = 3000

    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            wal = tmp_path / "db.sqlite3-wal"
            largest = 0
            for seq in range(1, appends + 1):
                batch = {room: [(seq, b"x" * 300)]}
                if not store.append_now(batch):  # never waiting for the worker otherwise
                    await store.append_many(batch)
                largest = max(largest, wal.stat().st_size)
            # two frames (4 KiB pages) per append: without restarts the log would
            # reach ~24 MiB. With them: a checkpoint asked for every 50 appends, at
            # most 50 more while it waits, a restart once a passive one saw > 200
            # frames, so at most ~400 frames (1.6 MiB) are ever in the log
            assert largest < 2 << 20, largest
            logged = await store.read_log(room, 0)
            assert [seq for seq, _ in logged] == list(range(1, appends + 1))

    asyncio.run(main())


def test_a_file_with_the_log_keyed_by_session_is_moved_over(tmp_path: Path) -> None:
    """A data folder from before: its log rows are kept, in order, in the new table."""
    path = tmp_path / "db.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE sessions (id TEXT PRIMARY KEY, meta BLOB NOT NULL);
        CREATE TABLE ops (session_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
                          PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
        CREATE TABLE snapshots (session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
                                data BLOB NOT NULL);
    """)
    meta, _ = session_meta("Casus")
    db.execute("INSERT INTO sessions VALUES (?, ?)",
               (meta.id, sqlite_store._meta_encoder.encode(meta)))
    db.executemany("INSERT INTO ops VALUES (?, ?, ?)",
                   [(meta.id, seq, f"op {seq}".encode()) for seq in (2, 1, 3)])
    db.commit()
    db.close()

    async def main() -> None:
        store = SqliteStore(path)
        try:
            assert await store.read_log(meta.id, 0) == [(1, b"op 1"), (2, b"op 2"),
                                                        (3, b"op 3")]
            assert store.append_now({meta.id: [(4, b"op 4")]})
            assert await store.last_seq(meta.id) == 4
            table = store._db.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'ops'").fetchone()[0]
            assert "WITHOUT ROWID" not in table
        finally:
            await store.close()
        reopened = SqliteStore(path)  # a second open moves nothing again
        try:
            assert [seq for seq, _ in await reopened.read_log(meta.id, 0)] == [1, 2, 3, 4]
        finally:
            await reopened.close()

    asyncio.run(main())


def test_ops_published_in_one_turn_share_one_commit(tmp_path: Path) -> None:
    """Group commit without a timer: what one turn of the loop publishes is one
    transaction; an op alone is committed at once (the counters in /healthz)."""
    async def main() -> None:
        async with _one_session(tmp_path) as (store, room):
            backplane = MemoryBackplane(store)
            await backplane.start()
            try:
                await backplane.last_seq(room)
                assert await backplane.publish(room, _record(1)) == 1
                assert backplane.counters() == {"log_commits": 1, "log_ops": 1}
                seqs = await asyncio.gather(*(backplane.publish(room, _record(n))
                                              for n in range(2, 12)))
                assert seqs == list(range(2, 12))
                assert backplane.counters() == {"log_commits": 2, "log_ops": 11}
            finally:
                await backplane.close()

    asyncio.run(main())
