"""The attendance store contract, apart from the content store.

Its own file (SQLite) or its own keys (Redis), so the content's retention never
touches it. Invariants:
- every write is idempotent (a hub applying the same sequenced op again, or two hubs
  applying it, store the same facts once): connections are keyed by their id, roles
  are a set, the start keeps the earliest time;
- a write for a session the record does not hold, or for a member who deleted their
  record of that session, stores nothing (so nothing late brings them back);
- ``delete_member`` and ``delete_session`` leave no copy of the deleted names (SQLite:
  ``secure_delete``, ``VACUUM``, a truncated WAL).
"""

from __future__ import annotations

from typing import Protocol

from server.attendance.record import Confirmation, MemberFacts, SessionFacts


class AttendanceStore(Protocol):
    async def create_session(self, facts: SessionFacts) -> None:
        """Store the session's facts unless it is held already (then nothing changes)."""

    async def set_agreement(self, session_id: str, text: str | None) -> bool:
        """Change the agreement text; False (nothing changed) once the session started."""

    async def mark_started(self, session_id: str, at_ms: int) -> None:
        """The first step after the check-in; the earliest time given wins."""

    async def mark_ended(self, session_id: str, at_ms: int) -> None: ...

    async def approve(self, session_id: str, participant_id: str, at_ms: int) -> None: ...

    async def connection_opened(self, session_id: str, participant_id: str, conn_id: str,
                                name: str, role: str, start_ms: int, hub: str = "") -> None: ...

    async def hub_seen(self, hub: str, at_ms: int) -> None:
        """A hub's heartbeat: it is alive at ``at_ms``."""

    async def hubs_seen(self) -> dict[str, int]:
        """Every hub's last heartbeat (hubs silent for a day are forgotten)."""

    async def connection_closed(self, session_id: str, participant_id: str, conn_id: str,
                                start_ms: int, end_ms: int, hub: str = "") -> None:
        """Set the end of a connection the store holds (none: nothing changes)."""

    async def add_role(self, session_id: str, participant_id: str, role: str) -> None: ...

    async def accept_agreement(self, session_id: str, participant_id: str, text: str,
                               at_ms: int) -> None: ...

    async def confirm(self, session_id: str, participant_id: str,
                      confirmation: Confirmation) -> None: ...

    async def attach_member_key(self, session_id: str, participant_id: str,
                                member_key: str) -> None:
        """Link a member's record to the hash of their group member key (for a yearly
        overview per member); a member the record does not hold: nothing changes."""

    async def records_of_member(self, member_key: str) -> list[tuple[str, str]]:
        """``(session id, participant id)`` of every record linked to ``member_key``
        by ``attach_member_key`` and not deleted since (member or session)."""

    async def load(self, session_id: str) -> tuple[SessionFacts, list[MemberFacts]] | None: ...

    async def delete_member(self, session_id: str, participant_id: str) -> None: ...

    async def delete_session(self, session_id: str) -> None: ...

    async def expired(self, cutoff_ms: int) -> list[str]:
        """Sessions that ended (or, never closed, were created) before ``cutoff_ms``."""

    async def secret(self) -> bytes:
        """The key of the verification codes: made once, shared by every hub."""

    async def register_code(self, code: str, session_id: str, participant_id: str) -> None: ...

    async def lookup_code(self, code: str) -> tuple[str, str] | None: ...

    async def close(self) -> None: ...
