"""The group store: versioned records of a group, in SQLite or Redis.

A record is addressed by (group id, kind, key) and holds opaque bytes with a
version. Invariants:
- ``put`` writes only if the stored version equals ``expected`` (0: the record must
  not exist yet) and returns the new version (``expected + 1``); otherwise it raises
  ``Conflict`` with the version and bytes in force, and changes nothing;
- once ``delete_group`` returned, no byte of the group is left in the store (SQLite:
  ``secure_delete``, ``VACUUM`` and a truncated WAL; Redis: the key, and the
  append-only file rewritten), and a later ``put`` for it stores nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from server.store.sqlite_file import SqliteFile

log = logging.getLogger("intervisiebord.groups")

Versioned = tuple[int, bytes]


class Conflict(Exception):
    """A stale write: ``version`` and ``data`` are what the store holds (0, b"" if
    the record does not exist)."""

    def __init__(self, version: int, data: bytes) -> None:
        super().__init__(f"stale write; version in force {version}")
        self.version = version
        self.data = data


class Gone(Exception):
    """The group was deleted (or never existed)."""


class GroupStore(Protocol):
    async def get(self, group_id: str, kind: str, key: str = "") -> Versioned | None: ...

    async def list(self, group_id: str, kind: str) -> dict[str, Versioned]: ...

    async def put(
        self, group_id: str, kind: str, key: str, data: bytes, expected: int
    ) -> int: ...

    async def delete_group(self, group_id: str) -> None: ...

    async def close(self) -> None: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    group_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (group_id, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deleted (group_id TEXT PRIMARY KEY) WITHOUT ROWID;
"""
GROUPS_FILE = "groups.sqlite3"


class SqliteGroupStore:
    """``groups.sqlite3`` in the data folder; WAL, ``secure_delete``; one worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA, "groups")
        self._db = self._file.db


    def _get(self, group_id: str, kind: str, key: str) -> Versioned | None:
        row = self._db.execute(
            "SELECT version, data FROM records WHERE group_id = ? AND kind = ? AND key = ?",
            (group_id, kind, key),
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def _list(self, group_id: str, kind: str) -> dict[str, Versioned]:
        rows = self._db.execute(
            "SELECT key, version, data FROM records WHERE group_id = ? AND kind = ?",
            (group_id, kind),
        ).fetchall()
        return {str(key): (int(version), bytes(data)) for key, version, data in rows}

    def _put(self, group_id: str, kind: str, key: str, data: bytes, expected: int) -> int:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if self._db.execute(
                "SELECT 1 FROM deleted WHERE group_id = ?", (group_id,)
            ).fetchone():
                raise Gone(group_id)
            current = self._get(group_id, kind, key)
            version = current[0] if current else 0
            if version != expected:
                raise Conflict(version, current[1] if current else b"")
            self._db.execute(
                "INSERT INTO records (group_id, kind, key, version, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (group_id, kind, key) DO UPDATE SET version = excluded.version, "
                "data = excluded.data",
                (group_id, kind, key, expected + 1, data),
            )
        return expected + 1

    def _delete_group(self, group_id: str) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM records WHERE group_id = ?", (group_id,))
            self._db.execute("INSERT OR IGNORE INTO deleted (group_id) VALUES (?)", (group_id,))
        self._file.scrub()

    async def get(self, group_id: str, kind: str, key: str = "") -> Versioned | None:
        return await self._file.call(self._get, group_id, kind, key)

    async def list(self, group_id: str, kind: str) -> dict[str, Versioned]:
        return await self._file.call(self._list, group_id, kind)

    async def put(self, group_id: str, kind: str, key: str, data: bytes, expected: int) -> int:
        return await self._file.call(self._put, group_id, kind, key, data, expected)

    async def delete_group(self, group_id: str) -> None:
        await self._file.call(self._delete_group, group_id)

    async def close(self) -> None:
        await self._file.close()
