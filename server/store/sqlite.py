"""SQLite store, the embedded default.

WAL mode with ``synchronous=NORMAL``: a committed transaction survives a process
kill (it is in the WAL, handed to the OS); only a power loss may drop the last
commits. Calls run on the event loop thread: each is a short local transaction,
and appends come in batches from the backplane's flusher.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec

from server.store.base import SessionMeta

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    meta BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ops (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    session_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""

_meta_encoder = msgspec.msgpack.Encoder()
_meta_decoder = msgspec.msgpack.Decoder(SessionMeta)


class SqliteStore:
    """One database file, ``intervisiebord.sqlite3`` in the data folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)

    async def create_session(self, meta: SessionMeta, snapshot: bytes) -> None:
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

    async def get_session(self, session_id: str) -> SessionMeta | None:
        row = self._db.execute("SELECT meta FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else _meta_decoder.decode(row[0])

    async def update_session(self, meta: SessionMeta) -> None:
        self._db.execute(
            "UPDATE sessions SET meta = ? WHERE id = ?", (_meta_encoder.encode(meta), meta.id)
        )

    async def append(self, session_id: str, entries: list[tuple[int, bytes]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO ops (session_id, seq, data) VALUES (?, ?, ?)",
                [(session_id, seq, data) for seq, data in entries],
            )

    async def append_many(self, batch: dict[str, list[tuple[int, bytes]]]) -> None:
        """Several rooms' entries in one transaction (the memory backplane's flush)."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO ops (session_id, seq, data) VALUES (?, ?, ?)",
                [(room, seq, data) for room, entries in batch.items() for seq, data in entries],
            )

    async def read_log(self, session_id: str, after_seq: int) -> list[tuple[int, bytes]]:
        rows = self._db.execute(
            "SELECT seq, data FROM ops WHERE session_id = ? AND seq > ? ORDER BY seq",
            (session_id, after_seq),
        ).fetchall()
        return [(int(seq), bytes(data)) for seq, data in rows]

    async def last_seq(self, session_id: str) -> int:
        row = self._db.execute(
            "SELECT MAX(seq) FROM ops WHERE session_id = ?", (session_id,)
        ).fetchone()
        if row[0] is not None:
            return int(row[0])
        snap = self._db.execute(
            "SELECT seq FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        return int(snap[0]) if snap else 0

    async def save_snapshot(self, session_id: str, seq: int, data: bytes) -> None:
        self._db.execute(
            "INSERT INTO snapshots (session_id, seq, data) VALUES (?, ?, ?) "
            "ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, data = excluded.data "
            "WHERE excluded.seq >= snapshots.seq",
            (session_id, seq, data),
        )

    async def load_snapshot(self, session_id: str) -> tuple[int, bytes] | None:
        row = self._db.execute(
            "SELECT seq, data FROM snapshots WHERE session_id = ?", (session_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    async def trim_log(self, session_id: str, upto_seq: int) -> None:
        self._db.execute(
            "DELETE FROM ops WHERE session_id = ? AND seq <= ? AND seq <= "
            "(SELECT seq FROM snapshots WHERE session_id = ?)",
            (session_id, upto_seq, session_id),
        )

    async def restore(self, meta: SessionMeta, seq: int, snapshot: bytes) -> str:
        """The SQLite log is never lost while the process lives: nothing to seed."""
        current = await self.get_session(meta.id)
        return current.epoch if current else ""

    async def delete_session(self, session_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN")
            for table, column in (
                ("ops", "session_id"),
                ("snapshots", "session_id"),
                ("sessions", "id"),
            ):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))  # noqa: S608
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.execute("VACUUM")

    async def close(self) -> None:
        self._db.close()
