"""The attendance record: facts as stored, and the presence list derived from them.

Pure: no clock, no I/O. Invariants:
- the record names people, their roles, times, confirmations and the confidentiality
  agreement they accepted; it holds no item, no case, no title and nothing that links
  a member to an item (also in anonymity mode);
- connections are intervals (one per websocket connection, on any hub); a member's
  presence is the union of them, clipped to the session's start and end, with gaps
  up to ``grace_ms`` (a reconnect) merged; the same facts give the same list, so
  every hub that reads the shared store gives the same list;
- a verification code is an HMAC over the canonical form of a member's line (or of
  the whole list) with the server's secret: a changed record no longer verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal

import msgspec

RECONNECT_GRACE_MS = 60_000
"""Gaps up to this long between a member's connections count as presence."""
HUB_STALE_MS = 15_000
"""A hub that wrote no heartbeat for this long is taken for dead: its connections
that are still open end at its last heartbeat (hubs write one every 5 s)."""
CODE_BYTES = 15
"""120 bits of HMAC: 24 base32 characters."""

Role = str


class Interval(msgspec.Struct, array_like=True, frozen=True):
    """One connection: opened at ``start_ms``; ``end_ms`` None while it is open (or
    when its hub died before it could write the end); ``hub``: the hub holding it."""

    start_ms: int
    end_ms: int | None = None
    hub: str = ""


def open_until(connection: Interval, hubs_seen: dict[str, int], now_ms: int) -> int | None:
    """The end of a connection: its own, or for an open one whose hub stopped writing
    heartbeats, that hub's last heartbeat (None: still open)."""
    if connection.end_ms is not None:
        return connection.end_ms
    seen = hubs_seen.get(connection.hub)
    if seen is not None and seen < now_ms - HUB_STALE_MS:
        return max(seen, connection.start_ms)
    return None


class Confirmation(msgspec.Struct, array_like=True, frozen=True):
    """A member's "I was present from .. to ..", given at ``at_ms``."""

    from_ms: int
    to_ms: int
    at_ms: int


class SessionFacts(msgspec.Struct, kw_only=True):
    """What the record knows of the meeting itself. ``agreement``: the text members
    must accept to enter (None: no agreement at the door)."""

    session_id: str
    method: str
    method_name: str
    language: Literal["nl", "en"]
    created_ms: int
    started_ms: int | None = None
    ended_ms: int | None = None
    approved_ms: int | None = None
    approved_by: str | None = None
    agreement: str | None = None


class MemberFacts(msgspec.Struct, kw_only=True):
    """One member's facts. ``member_key``: a hash of a group member key, attached
    when the session belongs to a group (for a yearly overview per member)."""

    participant_id: str
    name: str = ""
    roles: list[Role] = msgspec.field(default_factory=list)
    connections: list[Interval] = msgspec.field(default_factory=list)
    agreement_ms: int | None = None
    agreement_text: str | None = None
    confirmation: Confirmation | None = None
    member_key: str | None = None


class Line(msgspec.Struct, kw_only=True, frozen=True):
    """One member in the presence list."""

    participant_id: str
    name: str
    roles: tuple[Role, ...]
    periods: tuple[tuple[int, int], ...]
    from_ms: int | None
    to_ms: int | None
    duration_ms: int
    confirmation: Confirmation | None
    agreement_ms: int | None


class PresenceList(msgspec.Struct, kw_only=True, frozen=True):
    session_id: str
    method: str
    method_name: str
    language: Literal["nl", "en"]
    started_ms: int | None
    ended_ms: int | None
    duration_ms: int
    led_by: tuple[str, ...]
    lines: tuple[Line, ...]
    approved_ms: int | None
    agreement: str | None


ROLE_ORDER = ("facilitator", "presenter", "participant", "observer")


def session_window(session: SessionFacts, members: list[MemberFacts], now_ms: int
                   ) -> tuple[int | None, int]:
    """The meeting's start and end: the first step after the check-in and the close.
    Before the first step the start is the first connection; before the close the end
    is ``now_ms``."""
    start = session.started_ms
    if start is None:
        starts = [c.start_ms for m in members for c in m.connections]
        start = min(starts) if starts else None
    end = session.ended_ms if session.ended_ms is not None else now_ms
    return start, end


def periods(connections: list[Interval], start_ms: int | None, end_ms: int,
            grace_ms: int = RECONNECT_GRACE_MS, hubs_seen: dict[str, int] | None = None,
            now_ms: int = 0) -> list[tuple[int, int]]:
    """The union of the connections, clipped to ``[start_ms, end_ms]``; an open
    connection lasts until ``end_ms`` (or its dead hub's last heartbeat); gaps up to
    ``grace_ms`` are merged."""
    if start_ms is None:
        return []
    ends = [open_until(c, hubs_seen or {}, now_ms) for c in connections]
    spans = sorted(
        (max(c.start_ms, start_ms), min(end_ms if end is None else end, end_ms))
        for c, end in zip(connections, ends, strict=True)
    )
    merged: list[tuple[int, int]] = []
    for begin, finish in spans:
        if finish <= begin:
            continue
        if merged and begin - merged[-1][1] <= grace_ms:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def sorted_roles(roles: list[Role]) -> tuple[Role, ...]:
    known = [r for r in ROLE_ORDER if r in roles]
    return tuple(known + sorted(set(roles) - set(known)))


def line_of(member: MemberFacts, start_ms: int | None, end_ms: int,
            grace_ms: int = RECONNECT_GRACE_MS, hubs_seen: dict[str, int] | None = None,
            now_ms: int = 0) -> Line:
    spans = periods(member.connections, start_ms, end_ms, grace_ms, hubs_seen, now_ms)
    return Line(
        participant_id=member.participant_id,
        name=member.name,
        roles=sorted_roles(member.roles),
        periods=tuple(spans),
        from_ms=spans[0][0] if spans else None,
        to_ms=spans[-1][1] if spans else None,
        duration_ms=sum(b - a for a, b in spans),
        confirmation=member.confirmation,
        agreement_ms=member.agreement_ms,
    )


def presence_list(session: SessionFacts, members: list[MemberFacts], now_ms: int,
                  grace_ms: int = RECONNECT_GRACE_MS,
                  hubs_seen: dict[str, int] | None = None) -> PresenceList:
    """The list, members ordered by when they came (then by name). ``hubs_seen``: each
    hub's last heartbeat (epoch ms)."""
    start, end = session_window(session, members, now_ms)
    lines = [line_of(m, start, end, grace_ms, hubs_seen, now_ms) for m in members]
    lines.sort(key=lambda ln: (ln.from_ms is None, ln.from_ms or 0, ln.name, ln.participant_id))
    return PresenceList(
        session_id=session.session_id,
        method=session.method,
        method_name=session.method_name,
        language=session.language,
        started_ms=start,
        ended_ms=session.ended_ms,
        duration_ms=0 if start is None else max(0, end - start),
        led_by=tuple(ln.name for ln in lines if "facilitator" in ln.roles),
        lines=tuple(lines),
        approved_ms=session.approved_ms,
        agreement=session.agreement,
    )


def confirmation_for(line: Line, now_ms: int) -> Confirmation | None:
    """What a member confirms: the times the record holds for them now (None if
    it holds no presence)."""
    if line.from_ms is None or line.to_ms is None:
        return None
    return Confirmation(from_ms=line.from_ms, to_ms=line.to_ms, at_ms=now_ms)


# -- verification codes ----------------------------------------------------------------

_canonical = msgspec.msgpack.Encoder()
EVERYONE = "*"
"""The participant id a code of the whole list is registered under."""


def _header(plist: PresenceList) -> tuple[object, ...]:
    return (plist.session_id, plist.method, plist.started_ms, plist.ended_ms)


def _line_facts(line: Line) -> tuple[object, ...]:
    confirmed = None if line.confirmation is None else (line.confirmation.from_ms,
                                                        line.confirmation.to_ms)
    return (line.participant_id, line.name, line.roles, line.periods, confirmed)


def certificate_message(plist: PresenceList, line: Line) -> bytes:
    return _canonical.encode(("certificate", _header(plist), _line_facts(line)))


def list_message(plist: PresenceList) -> bytes:
    return _canonical.encode(
        ("list", _header(plist), plist.approved_ms, [_line_facts(ln) for ln in plist.lines])
    )


def code_of(secret: bytes, message: bytes) -> str:
    """24 base32 characters in groups of four, e.g. ``ABCD-EFGH-...``."""
    mac = hmac.new(secret, message, hashlib.sha256).digest()[:CODE_BYTES]
    raw = base64.b32encode(mac).decode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_code(text: str) -> str | None:
    """The code in its printed form, or None when it cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch not in "- ")
    if len(raw) != 24 or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, 24, 4))


def code_matches(secret: bytes, message: bytes, code: str) -> bool:
    return hmac.compare_digest(code_of(secret, message), code)
