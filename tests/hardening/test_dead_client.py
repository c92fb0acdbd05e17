"""A client that never answers pings is dropped within ping interval + timeout."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import BoardClient, run
from tests.support.rawws import OP_PING, OP_TEXT, RawClient
from tests.support.server import ServerProcess

PING_INTERVAL = 1.0
PING_TIMEOUT = 1.0
SLACK_S = 1.5
"""Allowance for a busy, shared machine."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data", None, "--ping-interval", str(PING_INTERVAL),
                         "--ping-timeout", str(PING_TIMEOUT)).start()
    try:
        yield proc
    finally:
        proc.stop()


def test_client_without_pongs_is_dropped_in_time(server: ServerProcess) -> None:
    async def scenario() -> None:
        session = server.create_session()
        control = BoardClient(server.ws_base, session.id, session.invite_token, "Controle")
        await control.connect()
        dead = RawClient(server.port, f"/ws/{session.id}")
        await dead.connect()
        await dead.send_json({"type": "hello", "protocol": 1, "token": session.invite_token,
                              "name": "Stil", "client_id": "dead-client-1"})
        frame = await dead.read_frame()
        assert frame is not None and json.loads(frame[1])["type"] == "welcome"
        welcomed = time.monotonic()
        await control.until(lambda: len(getattr(control, "online", [])) == 2)
        # read (and ignore) everything, never answer a ping
        budget = PING_INTERVAL + PING_TIMEOUT + SLACK_S
        code, frames = await asyncio.wait_for(dead.read_until_close(), budget + 5)
        elapsed = time.monotonic() - welcomed
        dead.close()
        pings = sum(op == OP_PING for op, _ in frames)
        print(f"\ndead client: dropped {elapsed:.2f} s after its welcome (interval "
              f"{PING_INTERVAL} s + timeout {PING_TIMEOUT} s), pings seen {pings}, close {code}")
        assert pings >= 1
        assert code == 1011
        assert elapsed <= budget
        # the room forgets it; the control client, which answers pings, stays
        await control.until(lambda: len(control.online) == 1, 5)
        assert control.close_code is None
        reply = await control.add("questions", "Nog hier?")
        assert reply["type"] in ("applied", "rejected")
        assert all(op in (OP_TEXT, OP_PING) for op, _ in frames[:-1])

    run(scenario)
