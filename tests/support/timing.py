"""Fan-out latency: from an op's send to its event's arrival at each member."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from tests.support.client import ASK, BoardClient
from tests.support.server import ServerProcess, Session


class TimedClient(BoardClient):
    """A board client that notes when each event arrived (perf_counter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: dict[int, float] = {}

    def _handle(self, msg: dict[str, Any]) -> None:
        if msg["type"] == "event":
            self.arrivals[msg["seq"]] = time.perf_counter()
        super()._handle(msg)


async def timed_room(server: ServerProcess, size: int = 3
                     ) -> tuple[Session, TimedClient, list[TimedClient]]:
    """A new session: its facilitator (the sender) at the step where everyone may add,
    and ``size`` members that stamp the receipt of every item."""
    session = server.create_session()
    sender = TimedClient(server.ws_base, session.id, session.facilitator_token, "Fee")
    members = [TimedClient(server.ws_base, session.id, session.invite_token, f"Lid {i}")
               for i in range(size)]
    await sender.connect()
    for member in members:
        await member.connect()
    await sender.call("set_step", step=ASK)
    return session, sender, members


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


async def timed_ops(sender: BoardClient, members: list[TimedClient], text: str,
                    stop: Callable[[int], bool], timeout: float = 10,
                    interval: float = 0.0) -> list[float]:
    """Send add_item ops one after the other, each when every member has the
    previous one and at least ``interval`` s after the previous one, until
    ``stop(ops sent)``; returns the latencies in ms."""
    latencies: list[float] = []
    sent = 0
    due = time.perf_counter()
    while not stop(sent):
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)  # pacing the sender, not waiting for a result
        due += interval
        started = time.perf_counter()
        reply = await sender.add("questions", text)
        assert reply["type"] == "applied", reply
        seq = reply["seq"]
        await asyncio.gather(*(m.until(lambda m=m, seq=seq: seq in m.arrivals, timeout)
                               for m in members))
        latencies += [(m.arrivals[seq] - started) * 1000 for m in members]
        sent += 1
    return latencies
