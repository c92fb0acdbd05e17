"""Open a store and a backplane of either kind, for the test bodies they share."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from server.attendance.redis import RedisAttendance
from server.attendance.sqlite import SqliteAttendance
from server.attendance.store import AttendanceStore
from server.backplane.base import Backplane
from server.backplane.memory import MemoryBackplane
from server.backplane.redis import RedisBackplane
from server.core.state import encode_state, new_state
from server.methods.loader import load_methods
from server.store.base import SessionMeta, Store
from server.store.methods import MethodStore
from server.store.methods_redis import RedisMethodStore
from server.store.methods_sqlite import SqliteMethodStore
from server.store.redis import RedisStore
from server.store.sqlite import SqliteStore
from server.tokens import new_id


@dataclass
class Storage:
    """Where a kind of storage lives: ``memory`` (SQLite) or ``redis``."""

    kind: str
    tmp_path: Path
    redis_url: str = ""
    redis_prefix: str = ""

    def store(self) -> Store:
        if self.kind == "redis":
            return RedisStore(self.redis_url, self.redis_prefix)
        return SqliteStore(self.tmp_path / "store.sqlite3")

    def method_store(self) -> MethodStore:
        if self.kind == "redis":
            return RedisMethodStore(self.redis_url, self.redis_prefix)
        return SqliteMethodStore(self.tmp_path / "methods.sqlite3")
    def attendance(self) -> AttendanceStore:
        if self.kind == "redis":
            return RedisAttendance(self.redis_url, self.redis_prefix)
        return SqliteAttendance(self.tmp_path / "attendance.sqlite3")

    @asynccontextmanager
    async def open(self) -> AsyncIterator[tuple[Store, Backplane]]:
        """A store and a started backplane over it (one hub's view)."""
        store = self.store()
        backplane: Backplane
        if isinstance(store, SqliteStore):
            backplane = MemoryBackplane(store)
        else:
            backplane = RedisBackplane(self.redis_url, self.redis_prefix)
        await backplane.start()
        try:
            yield store, backplane
        finally:
            await backplane.close()
            await store.close()


def session_meta(title: str = "Casus") -> tuple[SessionMeta, bytes]:
    """A new session's metadata and its initial snapshot."""
    method = load_methods([])["tienstappen"]
    session_id = new_id()
    meta = SessionMeta(id=session_id, title=title, method=method.id, language="nl",
                       created_ms=int(time.time() * 1000), epoch=new_id()[:16],
                       facilitator_hash="f" * 64, invite_hash="i" * 64)
    return meta, encode_state(new_state(session_id, title, "nl", method))
