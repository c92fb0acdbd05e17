"""Close codes and ``error`` codes, as the hub names them.

Defined once in ``shared_schema.codes`` (which also feeds the browser); this module
only gives them the hub's short names (documented in docs/protocol.md).
"""

from __future__ import annotations

from typing import Final

from shared_schema.codes import CloseCode, ErrorCode

# WebSocket close codes
GOING_AWAY: Final = CloseCode.GOING_AWAY
POLICY_VIOLATION: Final = CloseCode.POLICY_VIOLATION
MESSAGE_TOO_BIG: Final = CloseCode.MESSAGE_TOO_BIG
INTERNAL_ERROR: Final = CloseCode.INTERNAL_ERROR
SERVICE_RESTART: Final = CloseCode.SERVICE_RESTART
TRY_AGAIN_LATER: Final = CloseCode.TRY_AGAIN_LATER
HELLO_TIMEOUT: Final = CloseCode.HELLO_TIMEOUT
PROTOCOL_MISMATCH: Final = CloseCode.PROTOCOL_MISMATCH
ACCESS_DENIED: Final = CloseCode.ACCESS_DENIED
REMOVED: Final = CloseCode.REMOVED
SESSION_DELETED: Final = CloseCode.SESSION_DELETED
SESSION_CLOSED: Final = CloseCode.SESSION_CLOSED
REPLACED: Final = CloseCode.REPLACED
SLOW_CONSUMER: Final = CloseCode.SLOW_CONSUMER
FLOOD: Final = CloseCode.FLOOD
AGREEMENT: Final = CloseCode.AGREEMENT
FACILITATOR_TAKEN: Final = CloseCode.FACILITATOR_TAKEN

# error codes of the ``error`` message
INVALID_JSON: Final = ErrorCode.INVALID_JSON
INVALID_MESSAGE: Final = ErrorCode.INVALID_MESSAGE
UNKNOWN_TYPE: Final = ErrorCode.UNKNOWN_TYPE
BINARY_FRAME: Final = ErrorCode.BINARY_FRAME
HELLO_REQUIRED: Final = ErrorCode.HELLO_REQUIRED
ALREADY_WELCOMED: Final = ErrorCode.ALREADY_WELCOMED
PROTOCOL_MISMATCH_ERROR: Final = ErrorCode.PROTOCOL_MISMATCH
ACCESS_DENIED_ERROR: Final = ErrorCode.ACCESS_DENIED
RATE_LIMITED: Final = ErrorCode.RATE_LIMITED
UNAVAILABLE: Final = ErrorCode.UNAVAILABLE
AGREEMENT_REQUIRED: Final = ErrorCode.AGREEMENT_REQUIRED
