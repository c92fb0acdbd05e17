"""Close codes and protocol error codes (documented in docs/protocol.md)."""

from __future__ import annotations

from typing import Final

# WebSocket close codes
GOING_AWAY: Final = 1001
POLICY_VIOLATION: Final = 1008
MESSAGE_TOO_BIG: Final = 1009
INTERNAL_ERROR: Final = 1011
SERVICE_RESTART: Final = 1012
TRY_AGAIN_LATER: Final = 1013
HELLO_TIMEOUT: Final = 4001
PROTOCOL_MISMATCH: Final = 4002
ACCESS_DENIED: Final = 4003
REMOVED: Final = 4004
SESSION_DELETED: Final = 4005
SESSION_CLOSED: Final = 4006
SLOW_CONSUMER: Final = 4008
FLOOD: Final = 4009
AGREEMENT: Final = 4010

# error codes of the ``error`` message
INVALID_JSON: Final = "invalid_json"
INVALID_MESSAGE: Final = "invalid_message"
UNKNOWN_TYPE: Final = "unknown_type"
BINARY_FRAME: Final = "binary_frame"
HELLO_REQUIRED: Final = "hello_required"
ALREADY_WELCOMED: Final = "already_welcomed"
PROTOCOL_MISMATCH_ERROR: Final = "protocol_mismatch"
ACCESS_DENIED_ERROR: Final = "access_denied"
RATE_LIMITED: Final = "rate_limited"
UNAVAILABLE: Final = "unavailable"
AGREEMENT_REQUIRED: Final = "agreement_required"
