"""One websocket connection: a bounded outbound queue drained by a sender task.

Invariant: the hub never awaits a client. ``send`` only enqueues; a client whose
queue is full is closed with SLOW_CONSUMER instead of being buffered forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.websockets import WebSocket

from server.hub import codes

log = logging.getLogger("intervisiebord.hub")

FLUSH_TIMEOUT_S = 5.0
"""How long a closing connection may take to send what is still queued."""


class Connection:
    __slots__ = (
        "_queue",
        "_sender",
        "client_id",
        "client_key",
        "close_code",
        "close_reason",
        "closed",
        "participant_id",
        "ws",
    )

    def __init__(self, ws: WebSocket, queue_size: int) -> None:
        self.ws = ws
        self.client_id = ""
        self.client_key = ""
        self.participant_id = ""
        self.closed = False
        self.close_code: int | None = None
        self.close_reason = ""
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)
        self._sender = asyncio.create_task(self._send_loop())

    def send(self, frame: str) -> None:
        if self.closed:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("closing slow consumer participant=%s", self.participant_id)
            self.close(codes.SLOW_CONSUMER, "outbound queue full")

    def close(self, code: int, reason: str = "") -> None:
        """Close after what is queued (or at once for a slow consumer)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        if code == codes.SLOW_CONSUMER:
            self._sender.cancel()
            # the closing task replaces the sender, so it stays referenced and
            # ``finish`` waits for it
            self._sender = asyncio.get_running_loop().create_task(self._close_now(code, reason))
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def _close_now(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason)

    async def _send_loop(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                if frame is None:
                    break
                await self.ws.send_text(frame)
        except Exception:  # the peer went away; the receive loop notices too
            self.closed = True
            return
        await self._close_now(self.close_code or codes.GOING_AWAY, self.close_reason)

    async def finish(self) -> None:
        """After the receive loop ended: flush what is queued (bounded), then stop."""
        self.close(codes.GOING_AWAY)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._sender), FLUSH_TIMEOUT_S)
        self._sender.cancel()
        await asyncio.gather(self._sender, return_exceptions=True)
