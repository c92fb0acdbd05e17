"""SQLite store, the embedded default.

WAL mode with ``synchronous=NORMAL``: a committed transaction survives a process
kill (it is in the WAL, handed to the OS); only a power loss may drop the last
commits. The close of a session is written with ``synchronous=FULL`` (fsync before
it is acknowledged). Every call runs on one worker thread, in the order the calls
were made, and the worker's connection is only ever used by that thread.

The one exception is ``append_now``: the memory backplane appends the log's batches
on the event loop's thread through a second connection of its own, because handing
each batch to the worker cost more CPU than the append itself. It never waits: when
the worker holds the file's write lock it writes nothing and the caller queues the
batch to the worker (``append_many``) instead. That connection never checkpoints (a
checkpoint copies megabytes and fsyncs); it asks the worker for a passive checkpoint
every ``CHECKPOINT_EVERY`` appends. A passive checkpoint never completes while appends
go on, and a write-ahead log is reused from its start only after a complete one: so
once the log holds more than ``WAL_RESTART_FRAMES`` frames, the worker follows with a
restarting checkpoint of the few frames the passive one left. Meanwhile ``append_now``
declines (the batches go to the worker, behind the checkpoint) rather than compete for
the lock it waits for; the log file is then cut back to ``WAL_LIMIT_BYTES``. While
a checkpoint waits for the worker, ``append_now`` takes at most ``CHECKPOINT_EVERY``
more appends and then declines until it ran: so the log stays bounded even when the
loop's thread keeps the worker from running (a thread that releases the interpreter
lock only briefly, as a busy loop appending does, can hold it off for hundreds of
appends).

Deletion leaves no copy of a session's bytes: ``secure_delete`` zeroes freed
content, ``VACUUM`` rebuilds the file and ``wal_checkpoint(TRUNCATE)`` empties the
write-ahead log. Log entries and snapshots are written only while the session row
exists, so a late write cannot bring a deleted session back.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import msgspec

from server.store.base import SessionMeta
from server.store.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    meta BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ops (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ops_by_session ON ops (session_id, seq);
CREATE TABLE IF NOT EXISTS snapshots (
    session_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""

LOG_TABLE = """
CREATE TABLE ops (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX ops_by_session ON ops (session_id, seq);
"""
"""The log in the order it was written (a commit touches the table's last page and
one index page; keyed by session, the rows of 200 sessions were spread over 200
places and a one-row commit rewrote almost three pages)."""

_EXISTS = "WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)"
_INSERT_OP = f"INSERT INTO ops (session_id, seq, data) SELECT ?, ?, ? {_EXISTS}"
_UPSERT_SNAPSHOT = (
    f"INSERT INTO snapshots (session_id, seq, data) SELECT ?, ?, ? {_EXISTS} "
    "ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, data = excluded.data "
    "WHERE excluded.seq >= snapshots.seq"
)

log = logging.getLogger("intervisiebord.store")

CHECKPOINT_EVERY = 500
"""Log transactions on the event loop's connection between two passive checkpoints
(about 2 MB of write-ahead log)."""

WAL_RESTART_FRAMES = 4096
"""Frames in the write-ahead log (16 MiB of 4 KiB pages) above which the worker's
checkpoint restarts the log: under a sustained load it would otherwise grow without
bound (measured: 567 MiB after 36,000 two-op commits)."""

WAL_LIMIT_BYTES = 16 << 20
"""What a restarted write-ahead log file is cut back to (``journal_size_limit``)."""

_meta_encoder = msgspec.msgpack.Encoder()
_meta_decoder = msgspec.msgpack.Decoder(SessionMeta)


class SqliteStore:
    """One database file, ``intervisiebord.sqlite3`` in the data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA, "sqlite")
        self._db = self._file.db
        self._migrate()
        self._log = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                    timeout=0)
        """The event loop's connection: ``append_now`` only, never waits on a lock."""
        self._log.execute("PRAGMA synchronous=NORMAL")
        self._log.execute("PRAGMA wal_autocheckpoint=0")
        for db in (self._db, self._log):
            db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        self._appends = 0
        self._checkpoint_queued = False
        self._restarting = False
        """Set by the worker while it restarts the write-ahead log."""

    def _migrate(self) -> None:
        """A file from before the log was kept in write order: move its rows over."""
        row = self._db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ops'").fetchone()
        if row is None or "WITHOUT ROWID" not in row[0].upper():
            return
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DROP INDEX IF EXISTS ops_by_session")
            self._db.execute("ALTER TABLE ops RENAME TO ops_by_key")
            for statement in LOG_TABLE.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute("INSERT INTO ops (session_id, seq, data) SELECT session_id, "
                             "seq, data FROM ops_by_key ORDER BY session_id, seq")
            self._db.execute("DROP TABLE ops_by_key")
        log.info("%s: log table rewritten in write order", self.path.name)

    def _create_session(self, meta: SessionMeta, snapshot: bytes) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO sessions (id, meta) VALUES (?, ?)",
                (meta.id, _meta_encoder.encode(meta)),
            )
            self._db.execute(
                "INSERT INTO snapshots (session_id, seq, data) VALUES (?, 0, ?)",
                (meta.id, snapshot),
            )

    def _get_session(self, session_id: str) -> SessionMeta | None:
        row = self._db.execute("SELECT meta FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else _meta_decoder.decode(row[0])

    def _update_session(self, meta: SessionMeta) -> None:
        self._db.execute(
            "UPDATE sessions SET meta = ? WHERE id = ?", (_meta_encoder.encode(meta), meta.id)
        )

    def _append(self, session_id: str, entries: list[tuple[int, bytes]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                _INSERT_OP, [(session_id, seq, data, session_id) for seq, data in entries]
            )

    def _append_many(self, batch: dict[str, list[tuple[int, bytes]]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                _INSERT_OP,
                [
                    (room, seq, data, room)
                    for room, entries in batch.items()
                    for seq, data in entries
                ],
            )

    def append_now(self, batch: dict[str, list[tuple[int, bytes]]]) -> bool:
        """Append ``batch`` in one transaction on the caller's thread, if the file's
        write lock is free at once; False, with nothing written, if it is not, if the
        worker is restarting the write-ahead log, or if a checkpoint asked for has
        waited a whole ``CHECKPOINT_EVERY`` appends."""
        # a queued checkpoint counts the appends made since it was asked for
        if self._restarting or (self._checkpoint_queued and self._appends >= CHECKPOINT_EVERY):
            return False
        log_db = self._log
        try:
            log_db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return False
            raise
        try:
            log_db.executemany(
                _INSERT_OP,
                [(room, seq, data, room) for room, entries in batch.items()
                 for seq, data in entries],
            )
            log_db.execute("COMMIT")
        except BaseException:
            if log_db.in_transaction:
                log_db.execute("ROLLBACK")
            raise
        self._appends += 1
        if self._appends >= CHECKPOINT_EVERY and not self._checkpoint_queued:
            self._appends = 0
            self._checkpoint_queued = True
            self._file.submit(self._checkpoint)
        return True

    def _checkpoint(self) -> None:
        """On the worker: copy the write-ahead log into the file without blocking
        writers (the event loop's appends go on meanwhile); restart a log grown past
        ``WAL_RESTART_FRAMES``."""
        try:
            _, frames, _ = self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames > WAL_RESTART_FRAMES:
                self._restarting = True
                try:
                    self._db.execute("PRAGMA wal_checkpoint(RESTART)")
                finally:
                    self._restarting = False
        except sqlite3.Error as exc:
            log.warning("%s: checkpoint failed: %r", self.path.name, exc)
        finally:
            self._checkpoint_queued = False

    def _read_log(self, session_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        rows = self._db.execute(
            "SELECT seq, data FROM ops WHERE session_id = ? AND seq > ? ORDER BY seq",
            (session_id, after_seq),
        ).fetchall()
        return [(int(seq), bytes(data)) for seq, data in rows]

    def _last_seq(self, session_id: str) -> int:
        row = self._db.execute(
            "SELECT MAX(seq) FROM ops WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        snap = self._db.execute(
            "SELECT seq FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        return int(snap[0]) if snap else 0

    def _save_snapshot(self, session_id: str, seq: int, data: bytes) -> None:
        self._db.execute(_UPSERT_SNAPSHOT, (session_id, seq, data, session_id))

    def _load_snapshot(self, session_id: str) -> tuple[int, bytes] | None:
        row = self._db.execute(
            "SELECT seq, data FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def _trim_log(self, session_id: str, upto_seq: int) -> None:
        self._db.execute(
            "DELETE FROM ops WHERE session_id = ? AND seq <= ? AND seq <= "
            "(SELECT seq FROM snapshots WHERE session_id = ?)",
            (session_id, upto_seq, session_id),
        )

    def _close_session(
        self, session_id: str, seq: int, snapshot: bytes, closed_ms: int
    ) -> None:
        """Final snapshot + close time in one fsynced transaction; the log below the
        snapshot is dropped with it (the snapshot holds everything)."""
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute(
                    "SELECT meta FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if row is None:
                    return
                meta = _meta_decoder.decode(row[0])
                if meta.closed_ms is None:
                    meta.closed_ms = closed_ms
                    self._db.execute(
                        "UPDATE sessions SET meta = ? WHERE id = ?",
                        (_meta_encoder.encode(meta), session_id),
                    )
                self._db.execute(_UPSERT_SNAPSHOT, (session_id, seq, snapshot, session_id))
                self._db.execute(
                    "DELETE FROM ops WHERE session_id = ? AND seq <= ?", (session_id, seq)
                )
        finally:
            self._db.execute("PRAGMA synchronous=NORMAL")

    def _closed_before(self, cutoff_ms: int) -> list[str]:
        due = []
        for session_id, blob in self._db.execute("SELECT id, meta FROM sessions"):
            meta = _meta_decoder.decode(blob)
            if meta.closed_ms is not None and meta.closed_ms < cutoff_ms:
                due.append(str(session_id))
        return due

    def _delete_session(self, session_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for table, column in (
                ("ops", "session_id"),
                ("snapshots", "session_id"),
                ("sessions", "id"),
            ):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))  # noqa: S608
        self._file.scrub()


    async def close(self) -> None:
        self._log.close()
        await self._file.close()


    # -- the Store protocol: each call queued to the worker thread -----------------------

    async def create_session(self, meta: SessionMeta, snapshot: bytes) -> None:
        await self._file.call(self._create_session, meta, snapshot)

    async def get_session(self, session_id: str) -> SessionMeta | None:
        return await self._file.call(self._get_session, session_id)

    async def update_session(self, meta: SessionMeta) -> None:
        await self._file.call(self._update_session, meta)

    async def append(self, session_id: str, entries: list[tuple[int, bytes]]) -> None:
        await self._file.call(self._append, session_id, entries)

    async def append_many(self, batch: dict[str, list[tuple[int, bytes]]]) -> None:
        """Several rooms' entries in one transaction (the memory backplane's flush)."""
        await self._file.call(self._append_many, batch)

    async def read_log(self, session_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        return await self._file.call(self._read_log, session_id, after_seq)

    async def last_seq(self, session_id: str) -> int:
        return await self._file.call(self._last_seq, session_id)

    async def save_snapshot(self, session_id: str, seq: int, data: bytes) -> None:
        await self._file.call(self._save_snapshot, session_id, seq, data)

    async def load_snapshot(self, session_id: str) -> tuple[int, bytes] | None:
        return await self._file.call(self._load_snapshot, session_id)

    async def trim_log(self, session_id: str, upto_seq: int) -> None:
        await self._file.call(self._trim_log, session_id, upto_seq)

    async def close_session(
        self, session_id: str, seq: int, snapshot: bytes, closed_ms: int
    ) -> None:
        await self._file.call(self._close_session, session_id, seq, snapshot, closed_ms)

    async def closed_before(self, cutoff_ms: int) -> list[str]:
        return await self._file.call(self._closed_before, cutoff_ms)

    async def delete_session(self, session_id: str) -> None:
        await self._file.call(self._delete_session, session_id)

    async def restore(self, meta: SessionMeta, seq: int, snapshot: bytes) -> str:
        """The SQLite log is never lost while the process lives: nothing to seed."""
        current = await self.get_session(meta.id)
        return current.epoch if current else ""
