"""A websocket session after the handshake: hello, welcome, then a receive loop
that feeds the room (``Connection`` does the handshake and starts ``serve``).

Every frame is decoded into the typed client union; anything else gets an
``error`` with a stable code and changes nothing. Ops are prechecked against the
local replica, then sequenced by the backplane; the room answers the sender.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec

from server.audit import AuditAction, record
from server.config import Settings
from server.core.facilitation import notes, public_method
from server.core.questions import classify
from server.core.reducer import Applied
from server.core.reducer import Rejected as CoreRejected
from server.core.state import client_key, member_tag, participant_id
from server.core.visibility import board_view
from server.hub import codes
from server.hub.connection import Connection, Disconnected
from server.hub.hub import Hub
from server.hub.member import Member
from server.hub.room import Room
from server.links import LinkKind, exports_when_off, is_member_key, link_kind
from server.store.base import SessionMeta
from server.tokens import is_session_id, token_hash
from shared_schema.client import Classify, Hello
from shared_schema.codec import client_decoder, encoder
from shared_schema.server import Classified, Error, SessionPut, Welcome
from shared_schema.version import PROTOCOL_VERSION

log = logging.getLogger("intervisiebord.hub")

HELLO_TIMEOUT_S = 10.0
_JOIN_CLOSE = {"removed": codes.REMOVED, "facilitator_taken": codes.FACILITATOR_TAKEN}
"""Close code for a refused join (any other refusal: the session is closed)."""
FLOOD_STRIKES = 50
"""Rate-limited messages in a row after which the connection is closed."""
PRE_HELLO_FRAMES = 50
"""Frames without a valid hello after which the connection is closed (4009)."""


def _error(code: str, reason: str, client_seq: int | None = None) -> bytes:
    return encoder.encode(Error(code=code, reason=reason, client_seq=client_seq))


def _decode_error(exc: msgspec.DecodeError | RecursionError) -> bytes:
    if isinstance(exc, RecursionError):  # msgspec skipping a deeply nested value
        return _error(codes.INVALID_MESSAGE, "the message is nested too deeply")
    text = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        code = codes.UNKNOWN_TYPE if "`$.type`" in text else codes.INVALID_MESSAGE
        return _error(code, text)
    return _error(codes.INVALID_JSON, "the message is not valid JSON")


async def serve(conn: Connection, session_id: str, *, hub: Hub, settings: Settings) -> None:
    """The session of one accepted connection, until either side closes it."""
    room: Room | None = None
    member: Member | None = None
    try:
        joined = await _join(conn, hub, settings, session_id)
        if joined is None:
            return
        room, member = joined
        await _receive_loop(member, room, settings)
    except Disconnected:
        pass
    finally:
        if hub.attendance is not None:
            hub.attendance.closed(conn)
        if room is not None and member is not None:
            room.leave(member)
            hub.release(room)
        conn.close(codes.GOING_AWAY)


async def _join(
    conn: Connection, hub: Hub, settings: Settings, session_id: str
) -> tuple[Room, Member] | None:
    """Hello, then welcome; the hello is not kept while the member stays."""
    hello = await _await_hello(conn)
    return None if hello is None else await _welcome(conn, hub, settings, session_id, hello)


async def _await_hello(conn: Connection) -> Hello | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HELLO_TIMEOUT_S
    for _ in range(PRE_HELLO_FRAMES):
        try:
            text = await asyncio.wait_for(_receive_text(conn), deadline - loop.time())
        except TimeoutError:
            conn.close(codes.HELLO_TIMEOUT, "no hello")
            return None
        if text is None:
            continue
        try:
            message = client_decoder.decode(text)
        except (msgspec.DecodeError, RecursionError) as exc:
            conn.send(_decode_error(exc))
            continue
        if isinstance(message, Hello):
            return message
        client_seq = None if isinstance(message, Classify) else message.client_seq
        conn.send(_error(codes.HELLO_REQUIRED, "send hello first", client_seq))
    conn.close(codes.FLOOD, "too many messages before hello")
    return None


async def _receive_text(conn: Connection) -> bytes | None:
    """The next text message; None (after an error reply) for a binary message."""
    text = await conn.receive()
    if text is None:
        conn.send(_error(codes.BINARY_FRAME, "send JSON as text frames"))
    return text


async def _welcome(
    conn: Connection, hub: Hub, settings: Settings, session_id: str, hello: Hello
) -> tuple[Room, Member] | None:
    if hello.protocol != PROTOCOL_VERSION:
        conn.send(
            _error(codes.PROTOCOL_MISMATCH_ERROR, f"this server speaks protocol {PROTOCOL_VERSION}")
        )
        conn.close(codes.PROTOCOL_MISMATCH, "protocol mismatch")
        return None
    try:
        meta = await hub.store.get_session(session_id) if is_session_id(session_id) else None
        via = link_kind(meta, hello.token, retired=True)
        room = await _admit(conn, hub, meta, via, hello)
        if room is None or via is None:
            return None
        tag = (member_tag(session_id, token_hash(hello.token))
               if is_member_key(meta, hello.token) else None)
        result = await room.join(hello.client_id, hello.name, via, hello.take_over, tag)
    except Exception as exc:  # the store or backplane is away (Redis restarting)
        log.warning("join failed session=%s: %r", session_id[:8], exc)
        conn.send(_error(codes.UNAVAILABLE, "the board is not reachable; reconnect later"))
        conn.close(codes.TRY_AGAIN_LATER, "try again later")
        return None
    if isinstance(result, Applied) and any(
        isinstance(s.change, SessionPut) for s in result.changes
    ):
        # a new member came with the facilitator link (or, in a group meeting, with
        # their member key and a role from the plan) and took over the role
        record(
            AuditAction.ROLE,
            session_id,
            participant_id(session_id, client_key(session_id, hello.client_id)),
            "member_key" if is_member_key(meta, hello.token) else "facilitator_link",
        )
    if isinstance(result, CoreRejected):
        conn.send(_error(result.code, result.reason))
        closing = _JOIN_CLOSE.get(result.code, codes.SESSION_CLOSED)
        conn.close(closing, result.reason)
        hub.release(room)
        return None
    key = client_key(session_id, hello.client_id)
    pid = participant_id(session_id, key)
    participant = room.state.participants[pid]
    replay = None
    if hello.resume is not None and hello.resume.epoch == room.epoch:
        if hello.resume.last_seq > room.state.seq:
            # after a fail-over this hub may not yet have applied all the client saw
            await room.applied(min(hello.resume.last_seq, await _log_seq(hub, room)))
        replay = room.events_since(hello.resume.last_seq, pid)
        if replay is not None and len(replay) > settings.queue_size // 2:
            replay = None  # a snapshot is cheaper, and fits the outbound queue
    welcome = Welcome(
        protocol=PROTOCOL_VERSION,
        session_id=session_id,
        participant_id=pid,
        role=participant.role,
        epoch=room.epoch,
        seq=room.state.seq if replay is None else hello.resume.last_seq,  # type: ignore[union-attr]
        recovered=replay is not None,
        board=board_view(room.state, pid) if replay is None else None,
        method=public_method(room.state.method),
        notes=notes(room.state.method) if participant.role == "facilitator" else None,
        link_exports=exports_when_off(via),
    )
    conn.send(encoder.encode(welcome))
    for frame in replay or ():
        conn.send(frame)
    conn.label = pid
    member = Member(conn, hello.client_id, key, pid,
                    room.bucket(hello.client_id, settings.rate_per_s, settings.rate_burst))
    room.admit(member)
    if hub.attendance is not None:
        hub.attendance.opened(conn, session_id, pid, participant.name, participant.role,
                              token_hash(hello.token) if is_member_key(meta, hello.token)
                              else None)
    return room, member


async def _admit(conn: Connection, hub: Hub, meta: SessionMeta | None, via: LinkKind | None,
                 hello: Hello) -> Room | None:
    """The session's room if this client may enter it; otherwise the client is told
    why (access denied, or the agreement at the door) and None."""
    room = None if meta is None or via is None else await hub.room(meta)
    if room is not None and via is LinkKind.RETURNING and not room.known(hello.client_id):
        hub.release(room)
        room = None
    if room is None:
        conn.send(_error(codes.ACCESS_DENIED_ERROR, "unknown session or wrong link"))
        conn.close(codes.ACCESS_DENIED, "access denied")
        return None
    if not await _past_the_door(hub, room, hello.client_id):
        hub.release(room)
        conn.send(_error(codes.AGREEMENT_REQUIRED, "accept the session's agreement first"))
        conn.close(codes.AGREEMENT, "agreement required")
        return None
    return room


async def _past_the_door(hub: Hub, room: Room, client_id: str) -> bool:
    """A new member enters only after accepting the session's agreement (if it has
    one); members who joined before come back without it."""
    pid = participant_id(room.session_id, client_key(room.session_id, client_id))
    if hub.attendance is None or pid in room.state.participants:
        return True
    return await hub.attendance.admitted(room.session_id, pid)


async def _log_seq(hub: Hub, room: Room) -> int:
    """The room's last seq in the log (a seq from a client may be made up)."""
    return await hub.backplane.last_seq(room.session_id)


async def _receive_loop(member: Member, room: Room, settings: Settings) -> None:
    conn = member.conn
    strikes = 0
    while not conn.closed:
        text = await _receive_text(conn)
        if text is None:
            continue
        try:
            message = client_decoder.decode(text)
        except (msgspec.DecodeError, RecursionError) as exc:
            message = None
            problem = _decode_error(exc)
        if not member.bucket.take():
            strikes += 1
            if strikes >= FLOOD_STRIKES:
                conn.close(codes.FLOOD, "too many messages")
                return
            client_seq = (
                None
                if message is None or isinstance(message, Hello | Classify)
                else message.client_seq
            )
            conn.send(_error(codes.RATE_LIMITED, "slow down; resend later", client_seq))
            continue
        strikes = 0
        if message is None:
            conn.send(problem)
            continue
        if isinstance(message, Hello):
            conn.send(_error(codes.ALREADY_WELCOMED, "hello was already accepted"))
            continue
        if isinstance(message, Classify):
            # answered to the sender only; the text is neither sequenced nor kept
            reading = classify(message.text)
            conn.send(encoder.encode(Classified(
                request=message.request, verdict=reading.verdict, cue=reading.cue)))
            continue
        await room.submit(member, message)
