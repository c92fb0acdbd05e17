"""Where an idle connection's memory goes: ``python -m tests.bench.memtrace``.

Runs the hub in this process with ``tracemalloc`` on, connects idle clients from a
worker process, and prints the Python heap growth per connection by allocation site
and by file. Python heap only: RSS (what load C reports) is a little higher.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import uvicorn

from server.cli import uvicorn_config
from server.config import Settings
from tests.bench import runner, systems
from tests.bench.worker import Assignment, RoomSpec

FRAMES = 12
SETTLE_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.memtrace", description=__doc__)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--room-size", type=int, default=8)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    systems.raise_nofile_limit()
    tracemalloc.start(FRAMES)
    port = systems.free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-memtrace-"))
    settings = Settings(port=port, data_dir=data_dir, log_level="warning")
    server = uvicorn.Server(uvicorn_config(settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + systems.START_TIMEOUT_S
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    rooms = []
    for start in range(0, args.connections, args.room_size):
        session_id, _, invite = runner.create_session(port)
        rooms.append(RoomSpec(session_id, min(args.room_size, args.connections - start),
                              invite))
    members = [(r, i) for r, room in enumerate(rooms) for i in range(room.size)]
    gen = runner.Generator(1)
    try:
        gc.collect()
        before = tracemalloc.take_snapshot()
        gen.call("assign", [Assignment("intervisiebord", [port], rooms, members)])
        connected = gen.call("connect", {"with_items": False})[0]["connected"]
        time.sleep(SETTLE_S)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        gen.close()
        server.should_exit = True
        thread.join(30)
        shutil.rmtree(data_dir, ignore_errors=True)
    per = 1024 * connected
    sites = after.compare_to(before, "traceback")
    print(f"{connected} connections: {sum(s.size_diff for s in sites) / per:.1f} KiB "
          "per connection (Python heap)\n")
    for stat in sites[:args.top]:
        print(f"{stat.size_diff / per:6.2f} KiB  x{stat.count_diff}")
        for line in stat.traceback.format()[-4:]:
            print("        " + line)
    print("\nby file:")
    for stat in after.compare_to(before, "filename")[:args.top]:
        print(f"{stat.size_diff / per:6.2f} KiB  {stat.traceback}")


if __name__ == "__main__":
    main()
