"""Abort a websocket's TCP connection when a graceful close cannot be written.

A peer that stops reading keeps the server's write buffer full: the close frame
never goes out, and the socket would stay open for as long as the peer keeps
acknowledging TCP zero-window probes. ASGI has no "abort" message, so
``AbortCapture`` (outermost middleware) keeps the server's transport ``abort`` in
the websocket scope when the server exposes it (uvicorn's protocol object is the
owner of the ``send`` it passes in). Without it, closing falls back to waiting.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

ABORT_KEY = "intervisiebord.abort"


class AbortCapture:
    """Puts ``transport.abort`` of the server connection into websocket scopes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            abort = getattr(transport, "abort", None)
            if callable(abort):
                scope[ABORT_KEY] = abort
        await self.app(scope, receive, send)


def abort(ws: WebSocket) -> bool:
    """Drop the TCP connection at once; False if the server gave no way to."""
    hook: Callable[[], None] | None = ws.scope.get(ABORT_KEY)
    if hook is None:
        return False
    hook()
    return True
