"""Saved methods in SQLite: ``methods.sqlite3`` in the data folder, its own file so
the session database's deletion and vacuum work never touches it.

Every call runs on one worker thread, as in ``server.store.sqlite``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.store.methods import OwnerKind, SavedMethod, record_decoder, record_encoder
from server.store.sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS methods (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    published INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS methods_owner ON methods (owner_kind, owner);
"""



class SqliteMethodStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SqliteFile(path, SCHEMA, "sqlite-methods")
        self._db = self._file.db


    def _create(self, record: SavedMethod) -> None:
        self._db.execute(
            "INSERT INTO methods (id, owner_kind, owner, published, version, created_ms, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record.id, record.owner_kind, record.owner, int(record.published),
             record.version, record.created_ms, record_encoder.encode(record)),
        )

    def _get(self, method_id: str) -> SavedMethod | None:
        row = self._db.execute("SELECT data FROM methods WHERE id = ?", (method_id,)).fetchone()
        return None if row is None else record_decoder.decode(row[0])

    def _replace(self, record: SavedMethod, expected_version: int) -> bool:
        cursor = self._db.execute(
            "UPDATE methods SET owner_kind = ?, owner = ?, published = ?, version = ?, data = ? "
            "WHERE id = ? AND version = ?",
            (record.owner_kind, record.owner, int(record.published), record.version,
             record_encoder.encode(record), record.id, expected_version),
        )
        return cursor.rowcount == 1

    def _delete(self, method_id: str) -> None:
        self._db.execute("DELETE FROM methods WHERE id = ?", (method_id,))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[SavedMethod]:
        """``where`` is one of this module's constant conditions, never user text."""
        query = f"SELECT data FROM methods WHERE {where} ORDER BY created_ms, id"  # noqa: S608
        rows = self._db.execute(query, args).fetchall()
        return [record_decoder.decode(row[0]) for row in rows]

    async def create(self, record: SavedMethod) -> None:
        await self._file.call(self._create, record)

    async def get(self, method_id: str) -> SavedMethod | None:
        return await self._file.call(self._get, method_id)

    async def replace(self, record: SavedMethod, expected_version: int) -> bool:
        return await self._file.call(self._replace, record, expected_version)

    async def delete(self, method_id: str) -> None:
        await self._file.call(self._delete, method_id)

    async def owned_by(self, owner_kind: OwnerKind, owner: str) -> list[SavedMethod]:
        return await self._file.call(
            self._select, "owner_kind = ? AND owner = ?", (owner_kind, owner))

    async def published(self) -> list[SavedMethod]:
        return await self._file.call(self._select, "published = 1", ())

    async def close(self) -> None:
        await self._file.close()
