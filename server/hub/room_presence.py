"""Who is online in one room: this hub's members merged with the other hubs' notes.

Ephemeral by design: announced through the backplane's ephemeral channel, never
stored or sequenced. Changes within ``PRESENCE_DELAY_S`` go out as one note and one
frame. A note names the members that just connected to its hub (``took``), so an
older connection of the same member on another hub is replaced there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable

from server.hub import codes
from server.hub.connection import text_frame
from server.hub.member import Member
from server.hub.presence import PresenceMap, PresenceNote, decode_note, encode_note
from shared_schema.codec import encoder
from shared_schema.server import Presence

log = logging.getLogger("intervisiebord.hub")

PRESENCE_DELAY_S = 0.05
"""Presence changes within this window go out as one frame."""


class RoomPresence:
    def __init__(
        self,
        session_id: str,
        hub_id: str,
        members: Callable[[], Iterable[Member]],
        publish: Callable[[bytes], Awaitable[None]],
        spawn: Callable[[Awaitable[None]], None],
    ) -> None:
        self._session_id = session_id
        self._members = members
        self._publish = publish
        self._spawn = spawn
        self.map = PresenceMap(hub_id)
        self._due = False
        self._dirty = False
        self._sent: list[str] | None = None
        self._announced: set[str] = set()
        self._since: dict[str, int] = {}
        """Local members and when (epoch ms) they connected to this hub."""

    def local(self) -> list[str]:
        return sorted({member.participant_id for member in self._members()})

    def changed(self) -> None:
        """A local member came or went: announce this hub's members to every hub of the
        room after ``PRESENCE_DELAY_S``; joins and leaves in a burst coalesce."""
        self._dirty = True
        members = self.local()
        now_ms = int(time.time() * 1000)
        self._since = {pid: self._since.get(pid, now_ms) for pid in members}
        if self._due:
            return
        self._due = True
        asyncio.get_running_loop().call_later(PRESENCE_DELAY_S, self._announce_due)

    def on_note(self, data: bytes) -> None:
        """Backplane callback: a hub's presence note for this room (ours included)."""
        note = decode_note(data)
        if note is None:
            return
        self.map.note(note, asyncio.get_running_loop().time())
        if note.hub != self.map.hub_id:
            # a client that connected to another hub later replaces its connection here
            for pid, since_ms in note.took.items():
                if self._since.get(pid, since_ms) < since_ms:
                    for member in list(self._members()):
                        if member.participant_id == pid:
                            member.close(codes.REPLACED, "replaced by a newer connection")
            if note.ask and self.local():
                self.announce()
        self._send()

    def refresh(self) -> None:
        """Periodic: re-announce (so other hubs keep our members) and expire theirs."""
        if self.local():
            self.announce()
        self._send()

    def announce(self, ask: bool = False, took: dict[str, int] | None = None) -> None:
        note = PresenceNote(hub=self.map.hub_id, online=self.local(), ask=ask, took=took or {})
        self._spawn(self._publish_note(encode_note(note)))

    def _announce_due(self) -> None:
        self._due = False
        members = self.local()
        took = {pid: self._since.get(pid, 0) for pid in members if pid not in self._announced}
        self._announced = set(members)
        # the first announcement of a room asks the other hubs for theirs
        self.announce(ask=self._sent is None, took=took)

    async def _publish_note(self, data: bytes) -> None:
        try:
            await self._publish(data)
        except Exception as exc:  # presence is best effort; the next refresh repeats it
            log.info("presence not published session=%s: %s", self._session_id[:8], exc)

    def _send(self) -> None:
        """One presence frame to the local members, if the merged set changed or a
        local member came since the last one."""
        online = self.map.online(self.local(), asyncio.get_running_loop().time())
        if online == self._sent and not self._dirty:
            return
        self._sent, self._dirty = online, False
        frame = text_frame(encoder.encode(Presence(online=online)))
        for member in self._members():
            member.send_frame(frame)
