"""A flooding client in its own process, so its CPU does not delay the clients that
measure latency: ``python -m tests.support.flooder WS_BASE SESSION TOKEN MESSAGES``
prints a JSON summary."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections import Counter
from typing import Any

import websockets

from tests.support.client import BoardClient, run

CHUNK = 100
WINDOW_S = 10.0


async def flood(ws_base: str, session_id: str, token: str, messages: int) -> dict[str, Any]:
    """Chunks of CHUNK add_item ops at full speed; after each, wait for the answer to its
    last one (or the close), and reconnect (with resume) when closed."""
    flooder = BoardClient(ws_base, session_id, token, "Stortvloed")
    await flooder.connect()
    print("flooding", flush=True)
    sent, connections, closes = 0, 1, Counter[int]()
    started = time.monotonic()
    while sent < messages:
        assert time.monotonic() - started < WINDOW_S, "flooder too slow"
        assert flooder.ws is not None
        last = min(sent + CHUNK, messages)
        with contextlib.suppress(websockets.ConnectionClosed):
            for seq in range(sent + 1, last + 1):
                await flooder.ws.send(json.dumps(
                    {"type": "add_item", "client_seq": seq, "item_id": f"f{seq}",
                     "section": "questions", "text": "Spam?"}))
        sent = last
        await flooder.until(lambda last=last: flooder.close_code is not None
                            or last in flooder.acks
                            or any(e.get("client_seq") == last for e in flooder.errors))
        if flooder.close_code is not None:
            closes[flooder.close_code] += 1
            if sent < messages:
                await flooder.connect(resume=True)
                connections += 1
    return {
        "sent": sent, "seconds": time.monotonic() - started, "connections": connections,
        "closes": {str(code): n for code, n in closes.items()},
        "applied": sum(1 for a in flooder.acks.values() if a["type"] == "applied"),
        "rate_limited": sum(1 for e in flooder.errors if e["code"] == "rate_limited"),
    }


if __name__ == "__main__":
    result: dict[str, Any] = {}

    async def main() -> None:
        result.update(await flood(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))

    run(main)
    print(json.dumps(result))
