"""Keep board contents out of the logs.

At ``--log-level debug`` the websockets protocol (through uvicorn's ``uvicorn.error``
logger) writes every frame it sends or receives, which would put item texts and link
tokens in the log; with Redis, redis-py's ``push_response`` logger does the same for
every pub/sub message (a sequenced op). ``redact_frames`` drops exactly those
records; everything else uvicorn, websockets and redis-py log at debug stays.
"""

from __future__ import annotations

import logging

FRAME_LOGGERS = ("uvicorn.error", "websockets.server", "websockets.protocol", "push_response")
FRAME_FORMATS = frozenset({"< %s", "> %s"})
PUSH_PREFIX = "Push response"


class FrameFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        return message not in FRAME_FORMATS and not (
            isinstance(message, str) and message.startswith(PUSH_PREFIX)
        )


def redact_frames() -> None:
    """Install the filter once on every logger that may dump frames."""
    for name in FRAME_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, FrameFilter) for f in logger.filters):
            logger.addFilter(FrameFilter())
