"""A member as this hub holds it: one connection and who is behind it.

Created by the endpoint once the member was welcomed; the room keeps one per client
key (a newer connection of the same client replaces the older one). The connection
stays a transport: identity and the rate bucket live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.hub.connection import Connection
from server.hub.ratelimit import TokenBucket


@dataclass(eq=False, slots=True)
class Member:
    conn: Connection
    client_id: str
    """The client's own id (never stored: only hashes of it are)."""
    client_key: str
    participant_id: str
    bucket: TokenBucket
    """Kept per client id by the room, so a reconnect does not refill it."""

    def send(self, payload: bytes) -> None:
        self.conn.send(payload)

    def send_frame(self, frame: bytes) -> None:
        self.conn.send_frame(frame)

    def close(self, code: int, reason: str = "") -> None:
        self.conn.close(code, reason)

    @property
    def closed(self) -> bool:
        return self.conn.closed
