"""A room: one session's board replica on this hub and its local connections.

Invariants:
- ops are applied strictly in seq order; a gap is filled from the backplane's log
  before anything after it is applied (ops arriving early wait in ``_early``);
- every sequenced op produces exactly one ``event`` frame per local member, so seq
  is gap-free at every client; frames are encoded once per distinct audience;
- the sender of an op hears ``applied``/``rejected`` right after its event (in the
  same write);
- a ``close_session`` or ``set_export`` is acknowledged only after a snapshot of the
  state right after it is durable (exports read that snapshot).
- a room snapshots every ``snapshot_every`` to 1.5x ``snapshot_every`` ops (its own
  interval, fixed per session), so rooms that started together do not all write
  at once;
- ``applied(seq)`` returns once this replica has applied ``seq``: a connection's
  next op is prechecked only against a replica that includes its previous one,
  even when another hub process sequenced and fanned it out;
- presence merges this hub's members with the other hubs' notes (``presence.py``).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence

from server import audit
from server.backplane.base import Backplane
from server.core import reducer
from server.core.records import Record, RoundTimeout, Sequenced
from server.core.reducer import Actor, Scoped
from server.core.state import BoardState, encode_state
from server.hub import codes
from server.hub.auditing import audit_op
from server.hub.connection import Connection, text_frame
from server.hub.counters import HubCounters
from server.hub.presence import PresenceMap, PresenceNote, decode_note, encode_note
from server.hub.ratelimit import TokenBucket
from server.hub.replies import reply_frame
from server.store.base import SessionMeta, Store
from shared_schema.client import CloseSession, SetExport
from shared_schema.codec import encoder
from shared_schema.server import Error, Event, ParticipantPut, Presence

log = logging.getLogger("intervisiebord.hub")

PRESENCE_DELAY_S = 0.05
"""Presence changes within this window go out as one frame."""

RECENT_KEPT = 2000
"""Events kept in memory for resuming clients; older resumes get a snapshot."""

APPLY_WAIT_S = 10.0
"""How long a connection waits for its sequenced op to reach this replica."""

ROUND_GRACE_S = 0.02
"""A turn's timeout is sent this long after its deadline (the reducer checks it)."""
ROUND_RETRY_S = 1.0
"""If a turn is still current this long after its timeout was sent, send it again."""
ROUND_TIMER = "round-timer"
"""The key of the internal round timeouts (client_seq 0: never deduplicated)."""

_waiter_ids = itertools.count()


class Room:
    def __init__(
        self,
        session_id: str,
        state: BoardState,
        epoch: str,
        backplane: Backplane,
        store: Store,
        snapshot_every: int,
        log_keep: int,
        *,
        meta: SessionMeta | None = None,
        hub_id: str = "",
        counters: HubCounters | None = None,
    ) -> None:
        self.session_id = session_id
        self.state = state
        self.epoch = epoch
        self.conns: set[Connection] = set()
        self.by_client: dict[str, Connection] = {}
        self.senders: dict[str, tuple[Connection, int]] = {}
        """Ops this hub sent to be sequenced and not yet applied, by ``op_key``: the
        connection that sent each and its client_seq. Memory only: the log holds
        neither, so the answer is routed from here."""
        self.recent: deque[tuple[int, tuple[Scoped, ...]]] = deque(maxlen=RECENT_KEPT)
        """Tuples, not lists: tuples of plain data leave the cyclic collector's view,
        so thousands of kept events add nothing to its full passes."""
        self.join_waiters: dict[str, asyncio.Future[reducer.Result]] = {}
        self.buckets: dict[str, TokenBucket] = {}
        """Rate limit per client id, kept across its reconnects."""
        self.on_removed: Callable[[str], None] | None = None
        self._backplane = backplane
        self._store = store
        self._early: dict[int, Sequenced] = {}
        self._filling = False
        # rooms that started together would all snapshot at the same moment (each
        # one an encode on the loop and a write ahead of everyone's appends): every
        # room takes its own interval between 1x and 1.5x ``snapshot_every``
        self._snapshot_every = snapshot_every + zlib.crc32(session_id.encode()) % (
            snapshot_every // 2 + 1)
        self._log_keep = log_keep
        self._snapshot_seq = state.seq
        self._tasks: set[asyncio.Task[None]] = set()
        self._presence_due = False
        self._presence_dirty = False
        self._presence_sent: list[str] | None = None
        self._announced: set[str] = set()
        self._since: dict[str, int] = {}
        """Local members and when (epoch ms) they connected to this hub."""
        self.presence = PresenceMap(hub_id)
        self.meta = meta
        self.lost = False
        """Set when the log lost this room: it no longer applies or snapshots."""
        self._seq_waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._counters = counters or HubCounters()
        self._round_due: tuple[int, int, int] | None = None
        self._round_timer: asyncio.TimerHandle | None = None

    # -- sequenced ops ------------------------------------------------------------------

    def on_sequenced(self, item: Sequenced) -> None:
        """Backplane callback: apply in seq order, or wait for the gap to be filled."""
        if item.seq <= self.state.seq or self.lost:
            return
        if item.seq > self.state.seq + 1:
            self._early[item.seq] = item
            self._fill_gap()
            return
        self._apply(item)
        while self.state.seq + 1 in self._early:
            self._apply(self._early.pop(self.state.seq + 1))
        for seq in [s for s in self._early if s <= self.state.seq]:
            del self._early[seq]
        waiters = self._seq_waiters
        while waiters and waiters[0][0] <= self.state.seq:
            future = heapq.heappop(waiters)[2]
            if not future.done():
                future.set_result(None)

    async def applied(self, seq: int) -> bool:
        """Wait until this replica applied ``seq``; False if that took too long."""
        if self.state.seq >= seq or self.lost:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._seq_waiters, (seq, next(_waiter_ids), future))
        try:
            await asyncio.wait_for(future, APPLY_WAIT_S)
        except TimeoutError:
            return False
        return True

    def replay(self, items: Iterable[Sequenced]) -> None:
        """Apply logged ops while loading (no connections yet)."""
        for item in items:
            if item.seq == self.state.seq + 1:
                self._apply(item)

    def _fill_gap(self) -> None:
        if self._filling:
            return
        self._filling = True
        self._spawn(self._fill())

    async def _fill(self) -> None:
        try:
            missing = await self._backplane.read(self.session_id, self.state.seq)
            for item in missing:
                self.on_sequenced(item)
        finally:
            self._filling = False
        if self._early:
            self._fill_gap()

    def _apply(self, item: Sequenced) -> None:
        self._counters.ops_applied += 1
        record = item.record
        actor = Actor(record.client_id, record.op_key, item.seq, record.ts_ms, record.role,
                      record.proof)
        result = reducer.apply(self.state, record.op, actor)
        changes = result.changes if isinstance(result, reducer.Applied) else []
        self.recent.append((item.seq, tuple(changes)))
        sender = self._sender(record)
        if isinstance(result, reducer.Applied) and isinstance(record.op, CloseSession | SetExport):
            self._fan_out(item.seq, changes, None)
            self._store_then_answer(record, item.seq, result, sender)
        elif not record.op_key:
            self._fan_out(item.seq, changes, None)
            self._answer_join(record, result)
        else:
            # the sender gets its event and its answer in one write
            conn, reply = None, None
            if sender is not None:
                conn = sender[0]
                reply = text_frame(reply_frame(sender[1], item.seq, result))
            self._fan_out(item.seq, changes, conn, reply)
        member = self.by_client.get(record.client_id) if record.client_id else None
        if isinstance(result, reducer.Applied) and member is not None:
            # audited once, by the hub that holds the sender's connection
            audit_op(self.session_id, member.participant_id, record.op)
        for scoped in changes:
            if isinstance(scoped.change, ParticipantPut) and scoped.change.participant.removed:
                self._disconnect(scoped.change.participant.id, codes.REMOVED, "removed")
        if self.state.seq - self._snapshot_seq >= self._snapshot_every:
            self.snapshot()
        self._watch_round()

    # -- the round's turn deadline ------------------------------------------------------

    def _watch_round(self) -> None:
        """Keep one timer on the active round's turn deadline. When it passes, this
        hub sequences a ``RoundTimeout``; with several hubs each may, and the reducer
        moves the round on once."""
        current = self.state.round
        due = (
            (current.number, current.turn, current.deadline_ms)
            if current is not None and current.active and current.deadline_ms is not None
            and not self.state.closed and not self.lost
            else None
        )
        if due == self._round_due:
            return
        self.stop_round_timer()
        self._round_due = due
        if due is None:
            return
        delay = max(0.0, due[2] / 1000 - time.time()) + ROUND_GRACE_S
        self._round_timer = asyncio.get_running_loop().call_later(delay, self._round_expired, due)

    def _round_expired(self, due: tuple[int, int, int]) -> None:
        if due != self._round_due or self.lost:
            return
        number, turn, _ = due
        record = Record(client_id=ROUND_TIMER, ts_ms=int(time.time() * 1000),
                        op=RoundTimeout(number=number, turn=turn))
        self._spawn(self._publish_timeout(record))
        self._round_due = None  # if the turn is still current later, send it again
        self._round_timer = asyncio.get_running_loop().call_later(
            ROUND_RETRY_S, self._watch_round)

    async def _publish_timeout(self, record: Record) -> None:
        try:
            await self._backplane.publish(self.session_id, record)
        except Exception as exc:  # the retry timer sends it again
            log.info("round timeout not sequenced session=%s: %r", self.session_id[:8], exc)

    def stop_round_timer(self) -> None:
        if self._round_timer is not None:
            self._round_timer.cancel()
            self._round_timer = None
        self._round_due = None

    def _fan_out(self, seq: int, changes: list[Scoped], sender: Connection | None,
                 reply: bytes | None = None) -> None:
        """One event frame per distinct audience to every member; ``reply`` (the
        sender's answer) goes right after the sender's event, in the same write."""
        frames: dict[tuple[int, ...], bytes] = {}
        shared = None
        if self.conns and all(scoped.audience is None for scoped in changes):
            shared = text_frame(encoder.encode(Event(seq=seq, changes=[s.change for s in changes])))
        for conn in self.conns:
            frame = shared
            if frame is None:
                key = visible_indices(changes, conn.participant_id)
                frame = frames.get(key)
                if frame is None:
                    event = Event(seq=seq, changes=[changes[i].change for i in key])
                    frame = frames[key] = text_frame(encoder.encode(event))
            if conn is sender:
                conn.send_frame(frame + reply if reply is not None else frame)
                sender = None
            else:
                conn.send_frame(frame)
        if sender is not None and reply is not None:  # not (or no longer) a member here
            sender.send_frame(reply)

    def _sender(self, record: Record) -> tuple[Connection, int] | None:
        """This hub's connection that sent ``record`` and the op's client_seq, if it
        is here: the one that sent it, or, for an identified op whose sender
        reconnected meanwhile, its newer connection."""
        if not record.op_key:
            return None
        sent = self.senders.pop(record.op_key, None)
        if sent is None or not sent[0].closed or not record.client_id:
            return sent
        newer = self.by_client.get(record.client_id)
        return sent if newer is None else (newer, sent[1])

    def _answer_join(self, record: Record, result: reducer.Result) -> None:
        waiter = self.join_waiters.pop(record.client_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(result)

    def _store_then_answer(self, record: Record, seq: int, result: reducer.Result,
                           sender: tuple[Connection, int] | None) -> None:
        """Write the snapshot at ``seq`` (for a close: with the close time, in one
        fsynced transaction), then answer the sender. Every hub that applies the op
        writes the same bytes; only the sender's hub audits and answers."""
        data = encode_state(self.state)
        self._snapshot_seq = seq
        closing = isinstance(record.op, CloseSession)
        detail = str(seq) if closing else ("on" if self.state.participant_export else "off")
        self._spawn(self._durable_answer(record, seq, result, data, closing, detail, sender))

    async def _durable_answer(
        self,
        record: Record,
        seq: int,
        result: reducer.Result,
        data: bytes,
        closing: bool,
        detail: str,
        sender: tuple[Connection, int] | None,
    ) -> None:
        try:
            if closing:
                await self._store.close_session(self.session_id, seq, data, record.ts_ms)
            else:
                await self._store.save_snapshot(self.session_id, seq, data)
        except Exception:
            log.exception("snapshot failed session=%s seq=%d", self.session_id[:8], seq)
            if sender is not None:
                error = Error(code=codes.UNAVAILABLE, reason="the snapshot could not be stored",
                              client_seq=sender[1])
                sender[0].send(encoder.encode(error))
            return
        if sender is None:
            return
        conn, client_seq = sender
        action = audit.AuditAction.CLOSE if closing else audit.AuditAction.EXPORT_SETTING
        audit.record(action, self.session_id, conn.participant_id, detail)
        conn.send(reply_frame(client_seq, seq, result))

    def _disconnect(self, participant: str, code: int, reason: str) -> None:
        for conn in list(self.conns):
            if conn.participant_id == participant:
                conn.close(code, reason)

    # -- catch-up for a (re)connecting client -------------------------------------------

    def events_since(self, last_seq: int, viewer: str) -> list[bytes] | None:
        """Messages for the events after ``last_seq`` as ``viewer`` sees them, or None if
        they are no longer all in memory."""
        if last_seq > self.state.seq:
            return None
        if last_seq == self.state.seq:
            return []
        if not self.recent or self.recent[0][0] > last_seq + 1:
            return None
        frames = []
        for seq, changes in self.recent:
            if seq > last_seq:
                visible = [changes[i].change for i in visible_indices(changes, viewer)]
                frames.append(encoder.encode(Event(seq=seq, changes=visible)))
        return frames

    # -- presence ----------------------------------------------------------------------

    def local_members(self) -> list[str]:
        return sorted({conn.participant_id for conn in self.conns})

    def on_ephemeral(self, data: bytes) -> None:
        """Backplane callback: a hub's presence note for this room (ours included)."""
        note = decode_note(data)
        if note is None:
            return
        self.presence.note(note, asyncio.get_running_loop().time())
        if note.hub != self.presence.hub_id:
            # a client that connected to another hub later replaces its connection here
            for pid, since_ms in note.took.items():
                if self._since.get(pid, since_ms) < since_ms:
                    self._disconnect(pid, codes.REPLACED, "replaced by a newer connection")
            if note.ask and self.conns:
                self.announce_presence()
        self._send_presence()

    def broadcast_presence(self) -> None:
        """A local member came or went: announce this hub's members to every hub of the
        room after ``PRESENCE_DELAY_S``; joins and leaves in a burst coalesce."""
        self._presence_dirty = True
        members = self.local_members()
        now_ms = int(time.time() * 1000)
        self._since = {pid: self._since.get(pid, now_ms) for pid in members}
        if self._presence_due:
            return
        self._presence_due = True
        asyncio.get_running_loop().call_later(PRESENCE_DELAY_S, self._announce_due)

    def _announce_due(self) -> None:
        self._presence_due = False
        members = self.local_members()
        took = {pid: self._since.get(pid, 0) for pid in members if pid not in self._announced}
        self._announced = set(members)
        # the first announcement of a room asks the other hubs for theirs
        self.announce_presence(ask=self._presence_sent is None, took=took)

    def announce_presence(self, ask: bool = False, took: dict[str, int] | None = None) -> None:
        note = PresenceNote(hub=self.presence.hub_id, online=self.local_members(), ask=ask,
                            took=took or {})
        self._spawn(self._publish_note(encode_note(note)))

    async def _publish_note(self, data: bytes) -> None:
        try:
            await self._backplane.publish_ephemeral(self.session_id, data)
        except Exception as exc:  # presence is best effort; the next refresh repeats it
            log.info("presence not published session=%s: %s", self.session_id[:8], exc)

    def _send_presence(self) -> None:
        """One presence frame to the local members, if the merged set changed or a
        local member came since the last one."""
        online = self.presence.online(self.local_members(), asyncio.get_running_loop().time())
        if online == self._presence_sent and not self._presence_dirty:
            return
        self._presence_sent, self._presence_dirty = online, False
        frame = text_frame(encoder.encode(Presence(online=online)))
        for conn in self.conns:
            conn.send_frame(frame)

    def refresh_presence(self) -> None:
        """Periodic: re-announce (so other hubs keep our members) and expire theirs."""
        if self.conns:
            self.announce_presence()
        self._send_presence()

    # -- the log lost this room -----------------------------------------------------

    def abandon(self, code: int, reason: str) -> None:
        """Stop applying; close every local connection (clients reconnect and get the
        room as the log now holds it); release whoever waits for a seq."""
        self.lost = True
        self.senders.clear()
        self.stop_round_timer()
        for _, _, future in self._seq_waiters:
            if not future.done():
                future.set_result(None)
        self._seq_waiters.clear()
        for waiter in self.join_waiters.values():
            if not waiter.done():  # the joining client is told ``unavailable``
                waiter.set_exception(ConnectionResetError("the room was reset"))
        self.join_waiters.clear()
        for conn in list(self.conns):
            conn.close(code, reason)

    # -- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> None:
        """Write a snapshot of the current state; trim the log below it afterwards."""
        if self.lost:
            return
        seq, data = self.state.seq, encode_state(self.state)
        self._snapshot_seq = seq
        self._spawn(self._write_snapshot(seq, data))

    async def _write_snapshot(self, seq: int, data: bytes) -> None:
        await self._store.save_snapshot(self.session_id, seq, data)
        await self._store.trim_log(self.session_id, seq - self._log_keep)

    def _spawn(self, coro: object) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def evict(self, code: int, reason: str) -> None:
        """Close every local connection (the session is gone)."""
        self.stop_round_timer()
        for conn in list(self.conns):
            conn.close(code, reason)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("room task failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for background writes (snapshots, gap fills) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def visible_indices(changes: Sequence[Scoped], viewer: str) -> tuple[int, ...]:
    return tuple(
        i
        for i, scoped in enumerate(changes)
        if scoped.audience is None or viewer in scoped.audience
    )
