"""Stable rejection codes of the reducer (documented in docs/protocol.md)."""

from __future__ import annotations

from typing import Final

FORBIDDEN: Final = "forbidden"
SECTION_LOCKED: Final = "section_locked"
NOT_FOUND: Final = "not_found"
DUPLICATE_ID: Final = "duplicate_id"
NOT_AUTHOR: Final = "not_author"
SESSION_CLOSED: Final = "session_closed"
INVALID_VALUE: Final = "invalid_value"
NOT_MEMBER: Final = "not_member"
REMOVED: Final = "removed"
VOTE_BUDGET: Final = "vote_budget"

REJECT_CODES: Final = (
    FORBIDDEN,
    SECTION_LOCKED,
    NOT_FOUND,
    DUPLICATE_ID,
    NOT_AUTHOR,
    SESSION_CLOSED,
    INVALID_VALUE,
    NOT_MEMBER,
    REMOVED,
    VOTE_BUDGET,
)
