"""Keep board contents out of the logs.

At ``--log-level debug`` the websockets protocol (through uvicorn's ``uvicorn.error``
logger) writes every frame it sends or receives, which would put item texts and link
tokens in the log. ``redact_frames`` drops exactly those records; everything else
uvicorn and websockets log at debug stays.
"""

from __future__ import annotations

import logging

FRAME_LOGGERS = ("uvicorn.error", "websockets.server", "websockets.protocol")
FRAME_FORMATS = frozenset({"< %s", "> %s"})


class FrameFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in FRAME_FORMATS


def redact_frames() -> None:
    """Install the filter once on every logger that may dump frames."""
    for name in FRAME_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, FrameFilter) for f in logger.filters):
            logger.addFilter(FrameFilter())
