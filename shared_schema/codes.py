"""Close codes, error and rejection codes and the protocol's numeric limits.

Defined once here: the server imports them (``server/hub/codes.py`` and
``server/core/errors.py`` only re-export), and ``python -m shared_schema`` writes them
into ``web/js/protocol.js`` for the browser; a test fails when that file is stale.
Values never change meaning; new codes are added, never reused.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Final


class CloseCode(IntEnum):
    """WebSocket close codes the server sends (docs/protocol.md section 6)."""

    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    HELLO_TIMEOUT = 4001
    PROTOCOL_MISMATCH = 4002
    ACCESS_DENIED = 4003
    REMOVED = 4004
    SESSION_DELETED = 4005
    SESSION_CLOSED = 4006
    REPLACED = 4007
    SLOW_CONSUMER = 4008
    FLOOD = 4009
    AGREEMENT = 4010
    FACILITATOR_TAKEN = 4011


FINAL_CLOSE_CODES: Final = frozenset({
    CloseCode.POLICY_VIOLATION,
    CloseCode.PROTOCOL_MISMATCH,
    CloseCode.ACCESS_DENIED,
    CloseCode.REMOVED,
    CloseCode.SESSION_DELETED,
    CloseCode.SESSION_CLOSED,
    CloseCode.REPLACED,
    CloseCode.AGREEMENT,
    CloseCode.FACILITATOR_TAKEN,
})
"""After these a client does not reconnect: reconnecting cannot help (or, for
``REPLACED``, another connection of the same member took over; for
``FACILITATOR_TAKEN``, the person is asked whether to take the role over)."""


class ErrorCode(StrEnum):
    """Codes of the ``error`` message: a frame that was not an acceptable message."""

    INVALID_JSON = "invalid_json"
    INVALID_MESSAGE = "invalid_message"
    UNKNOWN_TYPE = "unknown_type"
    BINARY_FRAME = "binary_frame"
    HELLO_REQUIRED = "hello_required"
    ALREADY_WELCOMED = "already_welcomed"
    PROTOCOL_MISMATCH = "protocol_mismatch"
    ACCESS_DENIED = "access_denied"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    AGREEMENT_REQUIRED = "agreement_required"


RESEND_ERROR_CODES: Final = frozenset({ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE})
"""Errors that mean "not taken, send the op again" (with the same ``client_seq``)."""


class RejectCode(StrEnum):
    """Codes of the ``rejected`` answer: the reducer refused the op; nothing changed."""

    FORBIDDEN = "forbidden"
    SECTION_LOCKED = "section_locked"
    NOT_FOUND = "not_found"
    DUPLICATE_ID = "duplicate_id"
    NOT_AUTHOR = "not_author"
    SESSION_CLOSED = "session_closed"
    INVALID_VALUE = "invalid_value"
    NOT_MEMBER = "not_member"
    REMOVED = "removed"
    VOTE_BUDGET = "vote_budget"
    FACILITATOR_TAKEN = "facilitator_taken"
    VOTING_CLOSED = "voting_closed"


class HttpErrorCode(StrEnum):
    """Codes of the JSON API's error body ``{"code": ..., "reason": ...}``."""

    INVALID_REQUEST = "invalid_request"
    UNKNOWN_METHOD = "unknown_method"
    TOO_LARGE = "too_large"
    NOT_FOUND = "not_found"
    UNKNOWN_FORMAT = "unknown_format"
    EXPORT_DISABLED = "export_disabled"
    NOT_CLOSED = "not_closed"
    INVALID_CARRY = "invalid_carry"
    INTERNAL = "internal"
    INVALID_METHOD = "invalid_method"
    METHOD_KEY_REQUIRED = "method_key_required"
    STALE_VERSION = "stale_version"
    PUBLISHING_DISABLED = "publishing_disabled"
    # intervision groups (server/groups, docs/groups.md)
    INVALID_TIME = "invalid_time"
    INVALID_SERIES = "invalid_series"
    UNKNOWN_MEMBER = "unknown_member"
    UNKNOWN_MEETING = "unknown_meeting"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_QUESTION = "unknown_question"
    NOT_MANAGER = "not_manager"
    NOT_OWNER = "not_owner"
    HAND_ON_FIRST = "hand_on_first"
    GROUP_FULL = "group_full"
    PLAN_FULL = "plan_full"
    TOO_MANY = "too_many"
    MEETING_CLOSED = "meeting_closed"
    MEETING_STARTED = "meeting_started"
    MEETING_DELETED = "meeting_deleted"
    BUSY = "busy"
    FORBIDDEN = "forbidden"
    NO_PRESENCE = "no_presence"
    NO_AGREEMENT = "no_agreement"
    STARTED = "started"


ANSWERS_KEPT: Final = 1024
"""Answers (applied/rejected) the server keeps per room, all members together, for
idempotent resends (no per-member marks: see docs/anonymity.md)."""
MAX_IN_FLIGHT: Final = 60
"""Unanswered ops a client may have at once: few, so a resend after a lost connection
finds its original answer among the room's last ``ANSWERS_KEPT``."""
