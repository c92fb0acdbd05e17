"""Stable rejection codes of the reducer, as the core names them.

Defined once in ``shared_schema.codes.RejectCode`` (which also feeds the browser);
documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Final

from shared_schema.codes import RejectCode

FORBIDDEN: Final = RejectCode.FORBIDDEN
SECTION_LOCKED: Final = RejectCode.SECTION_LOCKED
NOT_FOUND: Final = RejectCode.NOT_FOUND
DUPLICATE_ID: Final = RejectCode.DUPLICATE_ID
NOT_AUTHOR: Final = RejectCode.NOT_AUTHOR
SESSION_CLOSED: Final = RejectCode.SESSION_CLOSED
INVALID_VALUE: Final = RejectCode.INVALID_VALUE
NOT_MEMBER: Final = RejectCode.NOT_MEMBER
REMOVED: Final = RejectCode.REMOVED
VOTE_BUDGET: Final = RejectCode.VOTE_BUDGET
FACILITATOR_TAKEN: Final = RejectCode.FACILITATOR_TAKEN
VOTING_CLOSED: Final = RejectCode.VOTING_CLOSED

REJECT_CODES: Final = tuple(RejectCode)
