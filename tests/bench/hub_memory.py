"""What a loaded session costs a hub in memory: an input of docs/scaling.md.

    .venv/bin/python -m tests.bench.hub_memory [--sessions 200] [--items 100]

Starts one hub (``intervisiebord serve``, embedded store) and measures its resident
memory (``VmRSS``) before and after ``--sessions`` sessions are loaded, each with one
connected member that added ``--items`` items (a board after a busy intervision);
subtracts the idle-connection cost that docs/benchmarks.json measured (load C) and
writes the figures to docs/hub_memory.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.client import ASK, BoardClient
from tests.support.server import ServerProcess
from tests.support.workload import adds, drive

BENCHMARKS = Path("docs/benchmarks.json")


def rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError("VmRSS")


def idle_connection_bytes() -> float:
    results = json.loads(BENCHMARKS.read_text())["results"]
    return float(next(r["bytes_per_connection"] for r in results
                      if r["system"] == "intervisiebord" and r["topology"] == "one"
                      and r["load"] == "C"))


async def load(hub: ServerProcess, sessions: int, items: int) -> list[BoardClient]:
    clients = []

    async def one(n: int) -> BoardClient:
        session = await asyncio.to_thread(hub.create_session, "tienstappen", f"Casus {n}")
        client = BoardClient(hub.ws_base, session.id, session.facilitator_token, f"Fee {n}")
        await client.connect()
        await client.call("set_step", step=ASK)
        await drive(client, adds(f"s{n}", items))
        return client

    for start in range(0, sessions, 50):
        clients += await asyncio.gather(*(one(n) for n in range(start, min(sessions,
                                                                             start + 50))))
    return clients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("docs/hub_memory.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub = ServerProcess(Path(tmp) / "data", None, "--rate-per-s", "2000",
                            "--rate-burst", "2000").start()
        try:
            assert hub.proc is not None
            pid = hub.proc.pid
            before = rss(pid)

            async def scenario() -> tuple[int, int]:
                clients = await load(hub, args.sessions, args.items)
                await asyncio.sleep(1.0)  # let the snapshot writes settle (a measurement)
                after = rss(pid)
                ops = sum(len(c.acks) for c in clients)
                for client in clients:
                    await client.close()
                return after, ops

            after, ops = asyncio.run(scenario())
        finally:
            hub.stop()
    per_connection = idle_connection_bytes()
    grown = after - before
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M"), "sessions": args.sessions,
        "items_per_session": args.items, "ops": ops, "rss_before": before, "rss_after": after,
        "idle_connection_bytes": round(per_connection),
        "bytes_per_session": round(grown / args.sessions - per_connection),
    }
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
