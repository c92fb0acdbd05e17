"""What one log commit of the embedded default costs: ``python -m tests.bench.commitcost``.

Appends batches to a real ``SqliteStore`` file with ``append_now`` (the event loop's
path), back to back and with a pause between commits (as under a load where every op
is committed at once), and prints the CPU per commit and per op. The embedded hub's
CPU per delivery depends on how many ops share a commit; this separates that cost
from everything else the hub does. Passive checkpoints run on the store's own thread
every ``CHECKPOINT_EVERY`` commits, as in the hub; their CPU is reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from server.store.base import SessionMeta
from server.store.sqlite import SqliteStore

SESSIONS = 200
"""As many sessions as load A; each op goes to one of them at random."""
OP_BYTES = 300
"""About the size of a logged ``edit_item`` of load A (128-character text)."""


async def _sessions(store: SqliteStore, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        meta = SessionMeta(id=secrets.token_urlsafe(16), title="bench", method="bench",
                           language="nl", created_ms=0, epoch="e", facilitator_hash="f",
                           invite_hash="i")
        await store.create_session(meta, b"{}")
        ids.append(meta.id)
    return ids


def _measure(store: SqliteStore, ids: list[str], seqs: dict[str, int], rows: int,
             pause_s: float, commits: int) -> tuple[float, float, int]:
    """Loop-thread CPU per commit, the other threads' CPU per commit (µs), and how
    many commits found the file locked (skipped, as the hub hands them on)."""
    data = b"x" * OP_BYTES
    own = 0
    busy = 0
    process_start = time.process_time_ns()
    thread_start = time.thread_time_ns()
    for _ in range(commits):
        batch: dict[str, list[tuple[int, bytes]]] = {}
        for room in random.sample(ids, rows):
            seqs[room] += 1
            batch.setdefault(room, []).append((seqs[room], data))
        start = time.thread_time_ns()
        if not store.append_now(batch):
            busy += 1
            for room in batch:
                seqs[room] -= 1
        own += time.thread_time_ns() - start
        if pause_s:
            time.sleep(pause_s)
    others = (time.process_time_ns() - process_start) - (time.thread_time_ns() - thread_start)
    return own / commits / 1000, max(others, 0) / commits / 1000, busy


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.commitcost",
                                     description=__doc__)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--rows", default="1,2,4,6,8", help="ops per commit, comma-separated")
    parser.add_argument("--pause-ms", type=float, default=0.5,
                        help="pause between commits in the second series")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-commitcost-"))
    store = SqliteStore(folder / "intervisiebord.sqlite3")
    try:
        ids = asyncio.run(_sessions(store, SESSIONS))
        seqs = dict.fromkeys(ids, 0)
        _measure(store, ids, seqs, 2, 0.0, 500)  # warm up: file and WAL grown
        print("| ops per commit | pause | loop CPU µs/commit | µs/op | checkpoint µs/commit "
              "| locked |")
        print("|---|---|---|---|---|---|")
        for rows in (int(r) for r in args.rows.split(",")):
            for pause in (0.0, args.pause_ms / 1000):
                own, others, busy = _measure(store, ids, seqs, rows, pause, args.commits)
                print(f"| {rows} | {pause * 1000:.1f} ms | {own:.1f} | {own / rows:.1f} "
                      f"| {others:.1f} | {busy} |")
    finally:
        asyncio.run(store.close())
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
