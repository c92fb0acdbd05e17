"""The peer a Python team would pick: python-socketio on uvicorn.

A client names its room in the Socket.IO CONNECT packet (``auth = {"room": ...}``);
every ``op`` event is emitted to the room, the sender included. With ``--redis-url``
the server uses python-socketio's ``AsyncRedisManager``, so several processes share
the rooms. uvicorn runs with the same websocket settings as Intervisiebord
(``websockets-sansio``, permessage-deflate off).
"""

from __future__ import annotations

import argparse
import resource
from typing import Any

import socketio
import uvicorn

CHANNEL = "bench-socketio"


def build(redis_url: str) -> socketio.ASGIApp:
    manager = socketio.AsyncRedisManager(redis_url, channel=CHANNEL) if redis_url else None
    sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager,
                               cors_allowed_origins="*", transports=["websocket"])

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: dict[str, Any] | None) -> None:
        room = (auth or {}).get("room")
        if not room:
            raise socketio.exceptions.ConnectionRefusedError("room required")
        await sio.save_session(sid, {"room": room})
        await sio.enter_room(sid, room)

    @sio.on("op")
    async def op(sid: str, data: Any) -> None:
        session = await sio.get_session(sid)
        await sio.emit("op", data, room=session["room"])

    return socketio.ASGIApp(sio)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    uvicorn.run(build(args.redis_url), host="127.0.0.1", port=args.port,
                ws="websockets-sansio", ws_per_message_deflate=False, log_level="warning",
                lifespan="off")
