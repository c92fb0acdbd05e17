"""The hub's writer of the attendance record.

Each hub writes what only it knows, its own connections (opened, closed, with its
clock), straight to the shared attendance store; what every hub knows, the start,
the close and the roles, comes from the session's ordered log: every hub that
applies those ops writes the same facts (the store's writes are idempotent). The
record is computed from the store when it is read, so every hub reads the same list.

Writes never hold up a connection or an op: they run as tasks, in order per
connection; a failed write is logged (names never are) and the board carries on.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from server.attendance.record import SessionFacts
from server.attendance.store import AttendanceStore
from server.core.records import Expel, Join, RoundTimeout
from shared_schema.client import CloseSession, Op, SetStep
from shared_schema.server import Change, ParticipantPut

log = logging.getLogger("intervisiebord.attendance")


HEARTBEAT_MS = 5_000
"""A connection opened longer than this after the last heartbeat writes one at once."""


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class _Open:
    session_id: str
    participant_id: str
    conn_id: str
    start_ms: int
    opened: asyncio.Task[None]


class Recorder:
    def __init__(self, store: AttendanceStore, hub_id: str = "") -> None:
        self.store = store
        self.hub_id = hub_id
        """Written with each connection; the hub's heartbeats say it is alive."""
        self._open: dict[object, _Open] = {}
        self._last_beat = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("attendance write failed: %r", type(task.exception()).__name__)

    async def ensure(self, facts: SessionFacts) -> None:
        """The session's record exists before any member write (on room load)."""
        try:
            await self.store.create_session(facts)
        except Exception as exc:
            log.warning("attendance record not created session=%s: %r",
                        facts.session_id[:8], type(exc).__name__)

    async def admitted(self, session_id: str, participant_id: str) -> bool:
        """Whether a new member may enter: no agreement at the door, or accepted."""
        loaded = await self.store.load(session_id)
        if loaded is None or loaded[0].agreement is None:
            return True
        return any(m.participant_id == participant_id and m.agreement_ms is not None
                   for m in loaded[1])

    def opened(self, conn: object, session_id: str, participant_id: str, name: str,
               role: str, member_key: str | None = None) -> None:
        """A member entered. ``member_key``: the hash of the group member key they
        entered a group meeting with, linked to their record after the connection."""
        start = now_ms()
        conn_id = secrets.token_hex(8)

        async def write() -> None:
            await self.store.connection_opened(session_id, participant_id, conn_id, name,
                                               role, start, self.hub_id)
            if member_key is not None:
                await self.store.attach_member_key(session_id, participant_id, member_key)

        task = self._spawn(write())
        self._open[conn] = _Open(session_id, participant_id, conn_id, start, task)
        if start - self._last_beat > HEARTBEAT_MS:
            self.heartbeat()

    def closed(self, conn: object) -> None:
        entry = self._open.pop(conn, None)
        if entry is None:
            return
        end = now_ms()

        async def write() -> None:
            await asyncio.gather(entry.opened, return_exceptions=True)
            await self.store.connection_closed(entry.session_id, entry.participant_id,
                                               entry.conn_id, entry.start_ms, end, self.hub_id)

        self._spawn(write())

    def heartbeat(self) -> None:
        """This hub is alive (every few seconds while it holds connections), so that
        if it dies its open connections end at its last heartbeat."""
        if self._open:
            self._last_beat = now_ms()
            self._spawn(self.store.hub_seen(self.hub_id, self._last_beat))

    def applied(self, session_id: str, op: Op | Join | RoundTimeout | Expel, ts_ms: int,
                step_before: int, step_after: int, changes: Iterable[Change]) -> None:
        """A sequenced op this hub applied: the start (the first step after the
        check-in), the close, and every role a member held."""
        if isinstance(op, SetStep) and step_before == 0 and step_after > 0:
            self._spawn(self.store.mark_started(session_id, ts_ms))
        elif isinstance(op, CloseSession):
            self._spawn(self.store.mark_ended(session_id, ts_ms))
        for change in changes:
            if isinstance(change, ParticipantPut) and not change.participant.removed:
                member = change.participant
                self._spawn(self.store.add_role(session_id, member.id, member.role))

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
