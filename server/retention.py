"""Deleting sessions: at once on the facilitator's request, and closed sessions after
the retention period (a sweep in the app's lifespan, and ``intervisiebord purge``).

The attendance record has a retention of its own (``--attendance-retention-days``),
swept by the same task from its own store: deleting the content never touches it,
unless the facilitator asks for both.

Invariant: after ``delete_session`` the session is gone from the store (log,
snapshots, metadata, old database pages) and from this process (room, connections,
closed with ``SESSION_DELETED``). Logs name only the session id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from server import audit
from server.attendance.store import AttendanceStore
from server.hub import codes
from server.hub.hub import Hub
from server.store.base import Store

log = logging.getLogger("intervisiebord.retention")

DAY_MS = 86_400_000
SWEEP_INTERVAL_S = 3600.0
"""How often the running server looks for closed sessions past retention."""


async def delete_session(store: Store, hub: Hub | None, session_id: str, actor: str) -> None:
    """Delete from the store first (so no new connection can load the room again),
    then drop the room and disconnect its members."""
    await store.delete_session(session_id)
    if hub is not None:
        await hub.evict(session_id, codes.SESSION_DELETED, "session deleted")
    audit.record(audit.AuditAction.DELETE, session_id, actor)


async def purge_expired(
    store: Store, hub: Hub | None, retention_days: float, now_ms: int | None = None
) -> int:
    """Delete every session closed more than ``retention_days`` ago; returns how many."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    due = await store.closed_before(now_ms - int(retention_days * DAY_MS))
    for session_id in due:
        await delete_session(store, hub, session_id, "retention")
    if due:
        log.info("retention: deleted %d closed session(s)", len(due))
    return len(due)


async def purge_attendance(
    attendance: AttendanceStore, retention_days: float, now_ms: int | None = None
) -> int:
    """Delete every attendance record that ended (or, never closed, was created) more
    than ``retention_days`` ago; returns how many."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    due = await attendance.expired(now_ms - int(retention_days * DAY_MS))
    for session_id in due:
        await attendance.delete_session(session_id)
        audit.record(audit.AuditAction.DELETE, session_id, "attendance_retention")
    if due:
        log.info("retention: deleted %d attendance record(s)", len(due))
    return len(due)


async def sweep_once(store: Store, hub: Hub | None, retention_days: float,
                     attendance: AttendanceStore | None, attendance_days: float) -> None:
    await purge_expired(store, hub, retention_days)
    if attendance is not None:
        await purge_attendance(attendance, attendance_days)


async def sweep_forever(
    store: Store, hub: Hub, retention_days: float, attendance: AttendanceStore | None = None,
    attendance_days: float = 0.0, interval_s: float = SWEEP_INTERVAL_S
) -> None:
    """The lifespan's periodic sweep; a failed sweep is logged and retried next time."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await sweep_once(store, hub, retention_days, attendance, attendance_days)
        except Exception:
            log.exception("retention sweep failed")


@contextlib.asynccontextmanager
async def sweeping(store: Store, hub: Hub, retention_days: float,
                   attendance: AttendanceStore | None = None, attendance_days: float = 0.0
                   ) -> AsyncIterator[None]:
    """Sweep once now (so a restart applies the period at once), then every hour."""
    await sweep_once(store, hub, retention_days, attendance, attendance_days)
    task = asyncio.create_task(
        sweep_forever(store, hub, retention_days, attendance, attendance_days),
        name="retention")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
