"""The embedded log's appends on the event loop's thread: never waiting on a lock,
never losing a batch, checkpoints left to the worker."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from server.backplane.memory import MemoryBackplane
from server.core.records import Record, Sequenced, decode_sequenced
from server.store import sqlite as sqlite_store
from server.store.sqlite import SqliteStore
from shared_schema.client import SetReady
from tests.support.storage import session_meta


def _record(n: int) -> Record:
    return Record(client_id="c-test-0001", op_key=f"k{n}", op=SetReady(client_seq=n, ready=True))


def test_append_now_writes_nothing_while_the_worker_holds_the_lock(tmp_path: Path) -> None:
    async def main() -> None:
        store = SqliteStore(tmp_path / "db.sqlite3")
        try:
            meta, snapshot = session_meta("Casus")
            await store.create_session(meta, snapshot)
            assert store.append_now({meta.id: [(1, b"one")]})

            locked, release = threading.Event(), threading.Event()

            def hold_lock() -> None:
                store._db.execute("BEGIN IMMEDIATE")
                locked.set()
                release.wait(10)
                store._db.execute("COMMIT")

            held = asyncio.get_running_loop().run_in_executor(None, hold_lock)
            assert await asyncio.to_thread(locked.wait, 10)
            assert not store.append_now({meta.id: [(2, b"two")]})  # at once, not after 5 s
            release.set()
            await held
            await store.append_many({meta.id: [(2, b"two")]})
            assert await store.read_log(meta.id, 0) == [(1, b"one"), (2, b"two")]
        finally:
            await store.close()

    asyncio.run(main())


def test_a_failing_append_now_leaves_no_open_transaction(tmp_path: Path) -> None:
    async def main() -> None:
        store = SqliteStore(tmp_path / "db.sqlite3")
        try:
            meta, snapshot = session_meta("Casus")
            await store.create_session(meta, snapshot)
            assert store.append_now({meta.id: [(1, b"one")]})
            try:
                store.append_now({meta.id: [(1, b"again")]})  # the same seq twice
            except sqlite3.IntegrityError:
                pass
            else:
                raise AssertionError("a duplicate seq was accepted")
            assert not store._log.in_transaction
            assert store.append_now({meta.id: [(2, b"two")]})
            assert await store.read_log(meta.id, 0) == [(1, b"one"), (2, b"two")]
        finally:
            await store.close()

    asyncio.run(main())


def test_the_backplane_delivers_every_op_in_order_around_a_held_lock(tmp_path: Path) -> None:
    """Ops published while the worker holds the file's lock go the worker's way and
    are delivered after it, in seq order, with those before and after them."""
    async def main() -> None:
        store = SqliteStore(tmp_path / "db.sqlite3")
        backplane = MemoryBackplane(store)
        await backplane.start()
        try:
            meta, snapshot = session_meta("Casus")
            await store.create_session(meta, snapshot)
            seen: list[int] = []
            await backplane.subscribe(meta.id, lambda item: seen.append(item.seq), lambda _: None)
            assert [await backplane.publish(meta.id, _record(n)) for n in (1, 2)] == [1, 2]

            locked, release = threading.Event(), threading.Event()

            def hold_lock() -> None:
                store._db.execute("BEGIN IMMEDIATE")
                locked.set()
                release.wait(10)
                store._db.execute("COMMIT")

            handed = asyncio.Event()
            append_many = store.append_many

            async def handed_to_worker(batch: dict[str, list[tuple[int, bytes]]]) -> None:
                handed.set()
                await append_many(batch)

            store.append_many = handed_to_worker  # type: ignore[method-assign]
            held = asyncio.get_running_loop().run_in_executor(store._file._worker, hold_lock)
            assert await asyncio.to_thread(locked.wait, 10)
            waiting = [asyncio.ensure_future(backplane.publish(meta.id, _record(n)))
                       for n in (3, 4, 5)]
            await handed.wait()  # the lock was busy: the batch went the worker's way
            assert seen == [1, 2] and not any(w.done() for w in waiting)
            release.set()
            assert await asyncio.gather(*waiting) == [3, 4, 5]
            await held
            assert await backplane.publish(meta.id, _record(6)) == 6
            assert seen == [1, 2, 3, 4, 5, 6]
            logged: list[Sequenced] = [decode_sequenced(data)
                                       for _, data in await store.read_log(meta.id, 0)]
            assert [item.seq for item in logged] == [1, 2, 3, 4, 5, 6]
        finally:
            await backplane.close()
            await store.close()

    asyncio.run(main())


def test_the_worker_checkpoints_the_log_the_loop_writes(tmp_path: Path) -> None:
    """The loop's connection never checkpoints; every CHECKPOINT_EVERY appends the
    worker copies the write-ahead log back, so it does not grow without bound."""
    async def main() -> None:
        store = SqliteStore(tmp_path / "db.sqlite3")
        try:
            meta, snapshot = session_meta("Casus")
            await store.create_session(meta, snapshot)
            wal = tmp_path / "db.sqlite3-wal"
            sizes = []
            for seq in range(1, 4 * sqlite_store.CHECKPOINT_EVERY + 1):
                assert store.append_now({meta.id: [(seq, b"x" * 300)]})
                if seq % sqlite_store.CHECKPOINT_EVERY == 0:
                    await store.last_seq(meta.id)  # the worker ran what was queued before
                    sizes.append(wal.stat().st_size)
            # a checkpointed log is reused from its start: its file stops growing after
            # the first interval (without checkpoints it would grow by one each time)
            assert sizes[-1] < 1.5 * sizes[0], sizes
            assert await store.last_seq(meta.id) == 4 * sqlite_store.CHECKPOINT_EVERY
        finally:
            await store.close()

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
        store = SqliteStore(tmp_path / "db.sqlite3")
        backplane = MemoryBackplane(store)
        await backplane.start()
        try:
            meta, snapshot = session_meta("Casus")
            await store.create_session(meta, snapshot)
            await backplane.last_seq(meta.id)
            assert await backplane.publish(meta.id, _record(1)) == 1
            assert backplane.counters() == {"log_commits": 1, "log_ops": 1}
            seqs = await asyncio.gather(*(backplane.publish(meta.id, _record(n))
                                          for n in range(2, 12)))
            assert seqs == list(range(2, 12))
            assert backplane.counters() == {"log_commits": 2, "log_ops": 11}
        finally:
            await backplane.close()
            await store.close()

    asyncio.run(main())
