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
- presence merges this hub's members with the other hubs' notes (``room_presence.py``);
- the room keeps at most one member per client key: admitting a newer connection of
  the same client closes the older one (4007); members come and go only through
  ``admit`` and ``leave``, and ops enter only through ``submit``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Iterable, Sequence
from typing import Literal

from server import audit
from server.attendance.recorder import Recorder
from server.backplane.base import Backplane
from server.core import reducer, roles
from server.core.records import Expel, Join, Record, Sequenced
from server.core.reducer import Actor, Scoped, admit, keeps_time, precheck
from server.core.state import BoardState, client_key, encode_state, op_key, participant_id
from server.hub import codes
from server.hub.auditing import audit_op
from server.hub.connection import text_frame
from server.hub.counters import HubCounters
from server.hub.member import Member
from server.hub.ratelimit import TokenBucket
from server.hub.replies import reply_frame
from server.hub.room_presence import RoomPresence
from server.hub.round_timer import RoundTimer
from server.hub.waiters import JoinWaiters, SeqWaiters
from server.store.base import SessionMeta, Store
from shared_schema.client import CloseSession, Op, SetExport
from shared_schema.codec import encoder
from shared_schema.server import Error, Event, ParticipantPut

log = logging.getLogger("intervisiebord.hub")

RECENT_KEPT = 2000
"""Events kept in memory for resuming clients; older resumes get a snapshot."""

EARLY_FILL_S = 0.2
"""How long this hub's own op, answered ahead of earlier ops, waits for the subscription
to bring them before they are read from the log."""

JOIN_WAIT_S = 10.0
"""How long a joining connection waits for its join to be decided."""


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
        attendance: Recorder | None = None,
    ) -> None:
        self.attendance = attendance
        self.session_id = session_id
        self.state = state
        self.epoch = epoch
        self._members: dict[str, Member] = {}
        """This hub's members, by client key."""
        self._senders: dict[str, tuple[Member, int]] = {}
        """Ops this hub sent to be sequenced and not yet applied, by ``op_key``: the
        member that sent each and its client_seq. Memory only: the log holds
        neither, so the answer is routed from here."""
        self.recent: deque[tuple[int, tuple[Scoped, ...]]] = deque(maxlen=RECENT_KEPT)
        """Tuples, not lists: tuples of plain data leave the cyclic collector's view,
        so thousands of kept events add nothing to its full passes."""
        self._buckets: dict[str, TokenBucket] = {}
        """Rate limit per client id, kept across its reconnects."""
        self._joins = JoinWaiters()
        self._seqs = SeqWaiters()
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
        self.presence = RoomPresence(
            session_id, hub_id, self._members.values,
            lambda data: backplane.publish_ephemeral(session_id, data), self._spawn)
        self.meta = meta
        self.lost = False
        """Set when the log lost this room: it no longer applies or snapshots."""
        self._counters = counters or HubCounters()
        self._rounds = RoundTimer(
            session_id, lambda record: backplane.publish(session_id, record), self._spawn)

    # -- members ------------------------------------------------------------------------

    @property
    def empty(self) -> bool:
        """No member of this hub is in the room."""
        return not self._members

    def members(self) -> list[Member]:
        return list(self._members.values())

    def bucket(self, client_id: str, rate_per_s: float, burst: float) -> TokenBucket:
        """The client id's rate bucket; a reconnect does not refill it."""
        bucket = self._buckets.get(client_id)
        if bucket is None:
            bucket = self._buckets[client_id] = TokenBucket(rate_per_s, burst)
        return bucket

    def admit(self, member: Member) -> None:
        """Add a welcomed member; an older connection of the same client is closed as
        replaced (4007)."""
        previous = self._members.get(member.client_key)
        if previous is not None and previous is not member:
            previous.close(codes.REPLACED, "replaced by a newer connection")
        self._members[member.client_key] = member
        self.presence.changed()

    def leave(self, member: Member) -> None:
        """The member's connection ended (a newer one of the client may have taken its
        place already: that one stays)."""
        if self._members.get(member.client_key) is member:
            del self._members[member.client_key]
        self.presence.changed()

    def known(self, client_id: str) -> bool:
        """Whether the client joined before and was not removed."""
        key = client_key(self.session_id, client_id)
        member = self.state.participants.get(participant_id(self.session_id, key))
        return member is not None and not member.removed

    async def join(self, client_id: str, name: str, via: str,
                   take_over: bool | None = None,
                   member: str | None = None) -> reducer.Result | None:
        """Sequence a Join when it would change something; wait until it is decided.
        A join the core answers without a change (a plain rejoin: None) or refuses
        outright (``roles.join_answer``) is not sequenced."""
        key = client_key(self.session_id, client_id)
        # a group member's key may bring the presenter role from the meeting's plan
        kind: Literal["facilitator", "presenter", "participant"] = (
            "facilitator" if via == "facilitator" else "presenter" if via == "presenter"
            else "participant"
        )
        join = Join(name=name, via=kind, take_over=take_over, member=member)
        early = roles.join_answer(self.state, join, participant_id(self.session_id, key))
        if isinstance(early, reducer.Applied):
            return None
        if early is not None:
            return early
        decided = self._joins.expect(key)
        await self._backplane.publish(self.session_id, Record(client_id=key, op=join))
        return await asyncio.wait_for(decided, timeout=JOIN_WAIT_S)

    async def expel(self, member: str) -> None:
        """Sequence the removal of everyone who entered with the group member key that
        ``member`` (a ``member_tag``) names, and wait until this replica applied it:
        every hub then closes their connections (``removed``)."""
        record = Record(client_id="", op=Expel(member=member))
        seq = await self._backplane.publish(self.session_id, record)
        self.on_sequenced(Sequenced(seq, record), fill=False)
        await self.applied(seq)

    async def submit(self, member: Member, op: Op) -> None:
        """Precheck ``op`` against this replica, sequence it, and wait until this replica
        applied it, so the member's next op is prechecked against a replica that
        includes this one. The answer goes to the member when the op is applied."""
        key = op_key(self.session_id, member.client_id, op.client_seq)
        if key in self._senders:
            # a resend (after a reconnect) of an op this hub is still sequencing: it is
            # answered once, here, when applied. Not logged twice: a second record could
            # be taken under the other key if anonymity changed meanwhile
            self._senders[key] = (member, op.client_seq)
            return
        admitted = admit(self.state, op)
        one_off, proof = admitted.one_off, admitted.proof
        verdict = precheck(self.state, op, member.client_key, key, proof)
        if verdict is not None:
            member.send(reply_frame(op.client_seq, None, verdict))
            return
        # the log gets the op's one-way key, never the client_seq; a one-off op gets the
        # sender's role instead of its client key (docs/anonymity.md)
        record = Record(
            client_id="" if one_off else member.client_key,
            op=admitted.op,
            op_key=key,
            ts_ms=int(time.time() * 1000) if keeps_time(op, one_off) else 0,
            role=self.state.participants[member.participant_id].role if one_off else None,
            proof=proof,
        )
        self._senders[key] = (member, op.client_seq)
        try:
            seq = await self._backplane.publish(self.session_id, record)
        except Exception as exc:
            sender, client_seq = self._senders.pop(key, (member, op.client_seq))
            log.warning("sequencing failed session=%s: %r", self.session_id[:8], exc)
            sender.send(encoder.encode(Error(
                code=codes.UNAVAILABLE, reason="the op could not be stored; resend it",
                client_seq=client_seq)))
            return
        # apply it from the sequencing answer: no need to wait for its trip back through
        # the subscription (that copy is then ignored); an answer that overtook earlier
        # ops waits for them, which the subscription brings in order
        self.on_sequenced(Sequenced(seq, record), fill=False)
        if not await self.applied(seq):
            self._senders.pop(key, None)  # a resend is answered from the marks instead
            log.warning("replica behind session=%s seq=%d", self.session_id[:8], seq)
            member.close(codes.GOING_AWAY, "the board fell behind; reconnect")

    # -- sequenced ops ------------------------------------------------------------------

    def on_sequenced(self, item: Sequenced, fill: bool = True) -> None:
        """Backplane callback (and this hub's own sequencing answers): apply in seq
        order; an op ahead of a gap waits, and with ``fill`` the gap is read from the
        log."""
        if item.seq <= self.state.seq or self.lost:
            return
        if item.seq > self.state.seq + 1:
            self._early[item.seq] = item
            if fill:
                self._fill_gap()
            else:  # the subscription should bring the ops before it; if it does not soon
                asyncio.get_running_loop().call_later(EARLY_FILL_S, self._fill_if_waiting,
                                                      item.seq)
            return
        self._apply(item)
        while self.state.seq + 1 in self._early:
            self._apply(self._early.pop(self.state.seq + 1))
        for seq in [s for s in self._early if s <= self.state.seq]:
            del self._early[seq]
        self._seqs.reached(self.state.seq)

    async def applied(self, seq: int) -> bool:
        """Wait until this replica applied ``seq``; False if that took too long."""
        if self.state.seq >= seq or self.lost:
            return True
        return await self._seqs.wait(seq)

    def replay(self, items: Iterable[Sequenced]) -> None:
        """Apply logged ops while loading (no connections yet)."""
        for item in items:
            if item.seq == self.state.seq + 1:
                self._apply(item)

    def _fill_if_waiting(self, seq: int) -> None:
        if seq in self._early and not self.lost:
            self._fill_gap()

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
        step_before = self.state.step
        result = reducer.apply(self.state, record.op, actor)
        changes = result.changes if isinstance(result, reducer.Applied) else []
        if self.attendance is not None and isinstance(result, reducer.Applied):
            self.attendance.applied(self.session_id, record.op, record.ts_ms, step_before,
                                    self.state.step, (s.change for s in changes))
        self.recent.append((item.seq, tuple(changes)))
        sender = self._sender(record)
        if isinstance(result, reducer.Applied) and isinstance(record.op, CloseSession | SetExport):
            self._fan_out(item.seq, changes, None)
            self._store_then_answer(record, item.seq, result, sender)
        elif not record.op_key:
            self._fan_out(item.seq, changes, None)
            self._joins.decided(record.client_id, result)
        else:
            # the sender gets its event and its answer in one write
            to, reply = None, None
            if sender is not None:
                to = sender[0]
                reply = text_frame(reply_frame(sender[1], item.seq, result))
            self._fan_out(item.seq, changes, to, reply)
        member = self._members.get(record.client_id) if record.client_id else None
        if isinstance(result, reducer.Applied) and member is not None:
            # audited once, by the hub that holds the sender's connection
            audit_op(self.session_id, member.participant_id, record.op)
        for scoped in changes:
            if isinstance(scoped.change, ParticipantPut) and scoped.change.participant.removed:
                self._disconnect(scoped.change.participant.id, codes.REMOVED, "removed")
        if self.state.seq - self._snapshot_seq >= self._snapshot_every:
            self.snapshot()
        self._rounds.watch(self.state, not self.lost)

    def _fan_out(self, seq: int, changes: list[Scoped], sender: Member | None,
                 reply: bytes | None = None) -> None:
        """One event frame per distinct audience to every member; ``reply`` (the
        sender's answer) goes right after the sender's event, in the same write."""
        frames: dict[tuple[int, ...], bytes] = {}
        shared = None
        if self._members and all(scoped.audience is None for scoped in changes):
            shared = text_frame(encoder.encode(Event(seq=seq, changes=[s.change for s in changes])))
        for member in self._members.values():
            frame = shared
            if frame is None:
                key = visible_indices(changes, member.participant_id)
                frame = frames.get(key)
                if frame is None:
                    event = Event(seq=seq, changes=[changes[i].change for i in key])
                    frame = frames[key] = text_frame(encoder.encode(event))
            if member is sender:
                member.send_frame(frame + reply if reply is not None else frame)
                sender = None
            else:
                member.send_frame(frame)
        if sender is not None and reply is not None:  # not (or no longer) a member here
            sender.send_frame(reply)

    def _sender(self, record: Record) -> tuple[Member, int] | None:
        """This hub's member that sent ``record`` and the op's client_seq, if it is
        here: the one that sent it, or, for an identified op whose sender reconnected
        meanwhile, its newer connection."""
        if not record.op_key:
            return None
        sent = self._senders.pop(record.op_key, None)
        if sent is None or not sent[0].closed or not record.client_id:
            return sent
        newer = self._members.get(record.client_id)
        return sent if newer is None else (newer, sent[1])

    def _store_then_answer(self, record: Record, seq: int, result: reducer.Result,
                           sender: tuple[Member, int] | None) -> None:
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
        sender: tuple[Member, int] | None,
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
        member, client_seq = sender
        action = audit.AuditAction.CLOSE if closing else audit.AuditAction.EXPORT_SETTING
        audit.record(action, self.session_id, member.participant_id, detail)
        member.send(reply_frame(client_seq, seq, result))

    def _disconnect(self, participant: str, code: int, reason: str) -> None:
        for member in list(self._members.values()):
            if member.participant_id == participant:
                member.close(code, reason)

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

    # -- presence ---------------------------------------------------------------------

    def on_ephemeral(self, data: bytes) -> None:
        """Backplane callback: a hub's presence note for this room (ours included)."""
        self.presence.on_note(data)

    # -- the log lost this room -----------------------------------------------------

    def abandon(self, code: int, reason: str) -> None:
        """Stop applying; close every local connection (clients reconnect and get the
        room as the log now holds it); release whoever waits for a seq."""
        self.lost = True
        self._senders.clear()
        self._rounds.stop()
        self._seqs.release_all()
        self._joins.fail_all(ConnectionResetError("the room was reset"))
        self.close_all(code, reason)

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
        await self._backplane.trim(self.session_id, seq - self._log_keep)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def close_all(self, code: int, reason: str) -> None:
        """Close every local member's connection (the session is gone, the server
        stops, or the room was reset); its round timer stops."""
        self._rounds.stop()
        for member in list(self._members.values()):
            member.close(code, reason)

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
