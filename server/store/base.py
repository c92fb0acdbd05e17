"""The store contract: session metadata and snapshots (the op log is the backplane's,
``server/backplane/base.py``).

Invariants: a write is atomic and durable when it returns (a process kill after it
loses nothing). Once
``delete_session`` returned, nothing of the session is left in the store (no log
entry, snapshot or metadata, and no stale copy of their bytes), and later writes for
that session id (a late append or snapshot) store nothing.
"""

from __future__ import annotations

from typing import Protocol

import msgspec


class SessionMeta(msgspec.Struct, kw_only=True):
    """What is known of a session outside its board. Tokens are kept only as hashes."""

    id: str
    title: str
    method: str
    language: str
    created_ms: int
    epoch: str
    facilitator_hash: str
    invite_hash: str
    closed_ms: int | None = None
    retired_invite_hashes: list[str] = msgspec.field(default_factory=list)
    """Hashes of rotated-away invite tokens: they let known members back in, nobody new."""
    member_roles: dict[str, str] = msgspec.field(default_factory=dict)
    """A group meeting's members: hash of their group member key -> the role they
    enter with ("facilitator", "presenter" or "participant"; see server/groups)."""


class Store(Protocol):
    async def create_session(self, meta: SessionMeta, snapshot: bytes) -> None: ...

    async def get_session(self, session_id: str) -> SessionMeta | None: ...

    async def update_session(self, meta: SessionMeta) -> None: ...

    async def save_snapshot(self, session_id: str, seq: int, data: bytes) -> None: ...

    async def load_snapshot(self, session_id: str) -> tuple[int, bytes] | None: ...

    async def close_session(
        self, session_id: str, seq: int, snapshot: bytes, closed_ms: int
    ) -> None:
        """Store the final snapshot and the close time in one atomic, durable write."""

    async def closed_before(self, cutoff_ms: int) -> list[str]:
        """Ids of sessions closed before ``cutoff_ms`` (epoch ms): due for deletion."""

    async def delete_session(self, session_id: str) -> None:
        """Remove the session everywhere in the store (see the module invariants)."""

    async def restore(self, meta: SessionMeta, seq: int, snapshot: bytes) -> str:
        """Seed a session its log lost (Redis emptied) from a replica at ``seq``, under
        ``meta.epoch`` unless one is already in force; returns the epoch in force, or
        "" if the session was deleted (it stays deleted)."""

    async def close(self) -> None: ...
