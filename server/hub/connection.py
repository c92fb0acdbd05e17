"""One websocket connection: a bounded outbound queue drained by a sender task.

Invariants: the hub never awaits a client. ``send`` only enqueues; a client whose
queue is full is closed with SLOW_CONSUMER instead of being buffered forever.
Once ``close`` was called the receive side ends too (a waiting ``receive`` returns
a disconnect), so the connection leaves its room at once; a close that cannot be
written within FLUSH_TIMEOUT_S (the peer stopped reading) aborts the TCP connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.types import Message
from starlette.websockets import WebSocket

from server.hub import codes
from server.hub.abort import abort

log = logging.getLogger("intervisiebord.hub")

FLUSH_TIMEOUT_S = 5.0
"""How long a closing connection may take to send what is still queued and the
close frame; after that the TCP connection is aborted."""


class Connection:
    __slots__ = (
        "_interrupted",
        "_queue",
        "_reader",
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
        self._reader: asyncio.Task[object] | None = None
        self._interrupted = False

    def send(self, frame: str) -> None:
        if self.closed:
            return
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("closing slow consumer participant=%s", self.participant_id)
            self.close(codes.SLOW_CONSUMER, "outbound queue full")

    async def receive(self) -> Message:
        """The next ASGI message; a disconnect once ``close`` was called."""
        gone: Message = {"type": "websocket.disconnect", "code": self.close_code or 1000}
        if self.closed:
            return gone
        self._reader = asyncio.current_task()
        try:
            return await self.ws.receive()
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
            self._interrupted = False
            if self._reader is not None:
                self._reader.uncancel()
            return gone
        finally:
            self._reader = None

    def close(self, code: int, reason: str = "") -> None:
        """Close after what is queued (or at once for a slow consumer)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self.close_reason = reason
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._interrupted = True
            self._reader.cancel()
        if code == codes.SLOW_CONSUMER:
            self._sender.cancel()
            # the closing task replaces the sender, so it stays referenced and
            # ``finish`` waits for it
            self._sender = asyncio.get_running_loop().create_task(self._close_now(code, reason))
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def _close_now(self, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(self.ws.close(code, reason), FLUSH_TIMEOUT_S)
        except TimeoutError:
            self._abort()
        except Exception:  # noqa: S110 - the peer is gone already
            pass

    def _abort(self) -> None:
        if abort(self.ws):
            log.warning("aborted unresponsive connection participant=%s", self.participant_id)

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
        try:
            await asyncio.wait_for(asyncio.shield(self._sender), FLUSH_TIMEOUT_S)
        except TimeoutError:
            self._abort()
        except Exception:  # noqa: S110 - the sender's own failure ends it
            pass
        self._sender.cancel()
        await asyncio.gather(self._sender, return_exceptions=True)
