"""Presence across hubs: who is connected to a room, on any hub process.

Each hub announces its local members of a room (a ``PresenceNote``) through the
backplane's ephemeral channel when they change, and again every
``PRESENCE_REFRESH_S``; a room merges its own members with the other hubs' last
notes. A note not refreshed within ``PRESENCE_TTL_S`` (its hub died) expires.
Presence is never sequenced and never stored.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

PRESENCE_REFRESH_S = 5.0
PRESENCE_TTL_S = 3 * PRESENCE_REFRESH_S


class PresenceNote(msgspec.Struct, array_like=True):
    """A hub's connected participant ids in one room; ``ask``: please announce yours;
    ``took``: members who connected to this hub since its last note, with the time
    (epoch ms) they did: another hub closes their older connections there, so a
    client has one connection, as on one hub."""

    hub: str
    online: list[str]
    ask: bool = False
    took: dict[str, int] = msgspec.field(default_factory=dict)


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(PresenceNote)


def encode_note(note: PresenceNote) -> bytes:
    return _encoder.encode(note)


def decode_note(data: bytes) -> PresenceNote | None:
    """None for anything that is not a note (ephemeral data is never trusted blindly)."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError:
        return None


class PresenceMap:
    """The other hubs' members of one room, each with the time its note expires."""

    def __init__(self, hub_id: str) -> None:
        self.hub_id = hub_id
        self._others: dict[str, tuple[frozenset[str], float]] = {}

    def note(self, note: PresenceNote, now: float) -> None:
        if note.hub == self.hub_id:
            return
        if note.online:
            self._others[note.hub] = (frozenset(note.online), now + PRESENCE_TTL_S)
        else:
            self._others.pop(note.hub, None)

    def online(self, local: Iterable[str], now: float) -> list[str]:
        for hub, (_, expires) in list(self._others.items()):
            if expires < now:
                del self._others[hub]
        merged = set(local)
        for members, _ in self._others.values():
            merged |= members
        return sorted(merged)
