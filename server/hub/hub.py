"""The hub: this process's rooms, created on first join and dropped when idle.

Invariants: at most one ``Room`` per session in a process; a room subscribes to the
backplane before it loads the snapshot and log, so no op falls between the two.
When the log lost a room (Redis emptied: the epoch changed), the room is seeded
again from this replica unless another hub did so first, then dropped: its clients
reconnect and get a full snapshot under the new epoch, so nobody silently diverges.
A deleted session is not seeded again: its clients are closed with 4005.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time

import msgspec

from server.attendance.record import SessionFacts
from server.attendance.recorder import Recorder
from server.backplane.base import Backplane
from server.core.state import decode_state, encode_state
from server.hub import codes
from server.hub.counters import HubCounters
from server.hub.presence import PRESENCE_REFRESH_S
from server.hub.room import Room
from server.store.base import SessionMeta, Store

log = logging.getLogger("intervisiebord.hub")


class Hub:
    def __init__(
        self,
        backplane: Backplane,
        store: Store,
        *,
        snapshot_every: int = 500,
        log_keep: int = 1000,
        idle_unload_s: float = 30.0,
        attendance: Recorder | None = None,
    ) -> None:
        self.backplane = backplane
        self.attendance = attendance
        """Writes the attendance record (None: none is kept)."""
        self.store = store
        self.rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self._snapshot_every = snapshot_every
        self._log_keep = log_keep
        self._idle_unload_s = idle_unload_s
        self.hub_id = secrets.token_hex(8)
        if attendance is not None:
            attendance.hub_id = self.hub_id
        """Names this process in presence notes."""
        self.counters = HubCounters()
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticker: asyncio.Task[None] | None = None
        backplane.watch(self._on_lost)

    def start(self) -> None:
        self._ticker = asyncio.get_running_loop().create_task(self._presence_ticker())

    async def _presence_ticker(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_REFRESH_S)
            for room in list(self.rooms.values()):
                room.presence.refresh()
            if self.attendance is not None:
                self.attendance.heartbeat()

    async def room(self, meta: SessionMeta) -> Room:
        """The session's room, loaded if needed."""
        room = self.rooms.get(meta.id)
        if room is not None and not room.lost:
            self._cancel_unload(meta.id)
            return room
        lock = self._loading.setdefault(meta.id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(meta.id)
            if room is not None and room.lost:  # its recovery has not run yet
                await self.backplane.unsubscribe(meta.id, room.on_sequenced)
            if room is None or room.lost:
                room = await self._load(meta)
                self.rooms[meta.id] = room
        self._cancel_unload(meta.id)
        return room

    async def _load(self, meta: SessionMeta) -> Room:
        snapshot = await self.store.load_snapshot(meta.id)
        if snapshot is None:
            raise LookupError(meta.id)
        state = decode_state(snapshot[1])
        if self.attendance is not None:
            await self.attendance.ensure(SessionFacts(
                session_id=meta.id, method=state.method.id,
                method_name=(state.method.name.nl if state.language == "nl"
                             else state.method.name.en),
                language=state.language, created_ms=meta.created_ms))
        room = Room(
            meta.id,
            state,
            meta.epoch,
            self.backplane,
            self.store,
            self._snapshot_every,
            self._log_keep,
            meta=meta,
            hub_id=self.hub_id,
            counters=self.counters,
            attendance=self.attendance,
        )
        self.counters.rooms_loaded += 1
        await self.backplane.subscribe(meta.id, room.on_sequenced, room.on_ephemeral)
        try:
            room.replay(await self.backplane.read(meta.id, state.seq))
            room.epoch = await self.backplane.epoch(meta.id) or meta.epoch
        except BaseException:
            await self.backplane.unsubscribe(meta.id, room.on_sequenced)
            raise
        return room

    def release(self, room: Room) -> None:
        """Called when a connection leaves; unload the room once idle."""
        if not room.empty or room.session_id in self._unload_timers:
            return
        loop = asyncio.get_running_loop()
        self._unload_timers[room.session_id] = loop.call_later(
            self._idle_unload_s, lambda: loop.create_task(self._unload(room.session_id))
        )

    def _cancel_unload(self, session_id: str) -> None:
        timer = self._unload_timers.pop(session_id, None)
        if timer is not None:
            timer.cancel()

    async def _unload(self, session_id: str) -> None:
        self._unload_timers.pop(session_id, None)
        room = self.rooms.get(session_id)
        if room is None or not room.empty:
            return
        del self.rooms[session_id]
        room.close_all(codes.GOING_AWAY, "")
        await self.backplane.unsubscribe(session_id, room.on_sequenced)
        room.snapshot()
        await room.drain()

    async def expel(self, meta: SessionMeta, member: str) -> None:
        """Remove from the session everyone who entered with the group member key that
        ``member`` (its ``member_tag``) names; their connections close on every hub."""
        room = await self.room(meta)
        try:
            await room.expel(member)
        finally:
            self.release(room)

    async def evict(self, session_id: str, code: int, reason: str) -> None:
        """Drop the session's room from this process after it was deleted: close its
        connections with ``code``, stop its timers and wait for its background writes
        (the store ignores them for a deleted session). Takes no snapshot."""
        self._cancel_unload(session_id)
        self._loading.pop(session_id, None)
        room = self.rooms.pop(session_id, None)
        if room is None:
            return
        room.close_all(code, reason)
        await self.backplane.unsubscribe(session_id, room.on_sequenced)
        await room.drain()

    def _on_lost(self, session_id: str) -> None:
        room = self.rooms.get(session_id)
        if room is None or room.lost:
            return
        room.lost = True
        task = asyncio.get_running_loop().create_task(self._recover(room))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recover(self, room: Room) -> None:
        """Seed the log from this replica (unless another hub did), then drop the room.
        Holds the room's loading lock, so a reconnecting client loads it afresh."""
        session_id = room.session_id
        code, reason = codes.SERVICE_RESTART, "the log was reset; reconnect"
        async with self._loading.setdefault(session_id, asyncio.Lock()):
            if room.meta is not None:
                meta = msgspec.structs.replace(room.meta, epoch=secrets.token_hex(8))
                try:
                    state = encode_state(room.state)
                    epoch = await self.store.restore(meta, room.state.seq, state)
                    log.warning("session=%s: reloading; epoch %r", session_id[:8], epoch)
                    if not epoch:
                        code, reason = codes.SESSION_DELETED, "session deleted"
                except Exception as exc:
                    log.warning("session=%s: not restored: %s", session_id[:8], exc)
            with contextlib.suppress(Exception):
                await self.backplane.unsubscribe(session_id, room.on_sequenced)
            if self.rooms.get(session_id) is room:
                del self.rooms[session_id]
            self._cancel_unload(session_id)
            room.abandon(code, reason)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        for task in list(self._tasks):
            await asyncio.gather(task, return_exceptions=True)
        for session_id in list(self.rooms):
            room = self.rooms.pop(session_id)
            room.close_all(codes.GOING_AWAY, "server shutting down")
            await self.backplane.unsubscribe(session_id, room.on_sequenced)
            room.snapshot()
            await room.drain()
        for timer in self._unload_timers.values():
            timer.cancel()
        self._unload_timers.clear()
        if self.attendance is not None:
            await self.attendance.drain()


def now_ms() -> int:
    return int(time.time() * 1000)
