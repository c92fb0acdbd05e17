"""A hub killed with members connected cannot write the end of their connections:
they end at its last heartbeat (written every 5 s while it holds connections) once
it has been silent for 15 s, not at the close.

The sleep lets the 15 s of silence pass, which is what is tested."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.support.attendance import view
from tests.support.client import BoardClient, run
from tests.support.server import ServerProcess

HEARTBEAT_S = 5.0
SILENCE_S = 15.0


def test_connections_of_a_killed_hub_end_at_its_last_heartbeat(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    session = server.create_session()
    fac = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna")
    anouk = BoardClient(server.ws_base, session.id, session.invite_token, "Anouk")
    killed: dict[str, float] = {}
    try:
        async def before() -> None:
            await fac.connect()
            await anouk.connect()
            assert (await fac.call("set_step", step=1))["type"] == "applied"
            await asyncio.sleep(HEARTBEAT_S + 1)  # at least one periodic heartbeat
            server.kill()
            killed["at"] = time.time() * 1000

        run(before)
        server.start()
        back = BoardClient(server.ws_base, session.id, session.facilitator_token, "Fenna",
                           client_id=fac.client_id)
        back.client_seq = fac.client_seq  # the idempotency key keeps rising

        async def after() -> None:
            await asyncio.sleep(max(0.0, killed["at"] / 1000 + SILENCE_S + 1 - time.time()))
            await back.connect()
            assert (await back.call("close_session"))["type"] == "applied"

        run(after)
        record = view(server, session.id, fac.client_id)
        line = next(ln for ln in record["lines"] if ln["name"] == "Anouk")
        end = record["session"]["ended_ms"]
        assert line["to_ms"] < end - 10_000, (line, end)  # not counted until the close
        assert killed["at"] - (HEARTBEAT_S * 1000 + 2000) <= line["to_ms"] <= killed["at"] + 2000
    finally:
        server.stop()
