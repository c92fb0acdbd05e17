"""One SQLite database file of the embedded default, used from one worker thread.

Every store that keeps its own file (sessions, attendance, groups, saved methods)
opens it here, so they share one set of invariants: WAL with ``synchronous=NORMAL``
(a committed write survives a process kill), ``secure_delete`` on (a deleted row is
overwritten, not left in a free page), every call on the file's own thread (the event
loop never waits on a lock, an fsync or a checkpoint; the sessions file's log appends
are the one exception, see ``SqliteStore.append_now``), and ``scrub`` after a
deletion that must leave no trace (``VACUUM`` rebuilds the file, the WAL is cut to zero bytes).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("intervisiebord.store")

T = TypeVar("T")

CHECKPOINT_TRIES = 5
"""A reader on another connection can hold the WAL; truncating is retried this often."""


class SqliteFile:
    def __init__(self, path: Path, schema: str, thread_name: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA secure_delete=ON")
        self.db.executescript(schema)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the file's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    def submit(self, fn: Callable[[], object]) -> None:
        """Queue ``fn()`` on the file's thread without waiting for it (it logs its own
        failures)."""
        self._worker.submit(fn)

    def scrub(self) -> None:
        """On the file's thread, after a deletion: rebuild the file and cut the WAL to
        zero bytes, so no old page keeps what was deleted."""
        self.db.execute("VACUUM")
        for _ in range(CHECKPOINT_TRIES):
            busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
        log.warning("%s: write-ahead log not truncated: another reader holds it", self.path.name)

    async def close(self) -> None:
        await self.call(self.db.close)
        self._worker.shutdown(wait=True)
