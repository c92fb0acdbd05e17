"""Which websocket upgrades the hub accepts: the path names a session, and the page
that opens the socket is ours (its Origin) or explicitly allowed. Pure: a request in,
the session id to serve or the HTTP status to refuse with out."""

from __future__ import annotations

import re

from websockets.http11 import Request

from server.config import Settings

WS_PATH = re.compile(r"/ws/([^/?]+)")
NOT_FOUND = 404
FORBIDDEN = 403


def route(request: Request, settings: Settings) -> str | int:
    """The session id of ``/ws/<id>``, or 404 for another path, 403 for a foreign or
    missing Origin."""
    match = WS_PATH.fullmatch(request.path.partition("?")[0])
    if match is None:
        return NOT_FOUND
    if not origin_allowed(request, settings):
        return FORBIDDEN
    return match.group(1)


def origin_allowed(request: Request, settings: Settings) -> bool:
    """The page that opens the socket must be ours (or explicitly allowed)."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    if origin in settings.allowed_origins:
        return True
    host = request.headers.get("Host", "")
    return origin in (f"http://{host}", f"https://{host}")
