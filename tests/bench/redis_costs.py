"""What one op costs Redis, and what a session holds there: the inputs of
docs/scaling.md.

    .venv/bin/python -m tests.bench.redis_costs [--ops 4000] [--out docs/redis_costs.json]

Starts its own redis-server (AOF ``everysec``, as deployed) and its own 3-master,
3-replica Redis Cluster on loopback, drives the real ``RedisBackplane`` and
``RedisStore`` (one hub process, one room subscribed, as with session affinity) and
reads Redis's own counters (``INFO commandstats``, ``INFO stats``, ``INFO memory``)
before and after:

- latency of one op, sent one after the other (publish until acknowledged): single
  Redis; cluster without ``WAIT``; cluster with ``WAIT 1`` (the default); three
  interleaved rounds, medians reported;
- ops/s with 64 ops in flight (the pipelined path) for the same three;
- commands, Redis CPU (the processes' user + system time; on the cluster all six
  nodes, the replicas' share shown apart) and network bytes per op;
- Redis memory per session (metadata, snapshot, the log between two snapshots).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

from server.backplane.redis import RedisBackplane
from server.core.records import Record, Sequenced, encode_sequenced
from server.store.redis import RedisStore
from shared_schema.client import EditItem
from tests.support.redis import RedisServer
from tests.support.redis_cluster import RedisClusterServers
from tests.support.storage import session_meta

IN_FLIGHT = 64
ROUNDS = 3
"""Latency runs per configuration; the medians are reported."""
SNAPSHOT_EVERY = 500
"""The hub's default: the log holds 0..750 ops between snapshots, 250-375 on average."""
LOG_OPS = 300
SESSIONS = 200


def record(n: int) -> Record:
    text = f"b 3 {n} {time.time_ns()}"  # as the benchmark's load generator writes
    return Record(client_id="c-bench-0001", op_key=f"{n:032x}",
                  op=EditItem(client_seq=1, item_id="i-1", text=text))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def command_stats(clients: list[redis.Redis]) -> dict[str, dict[str, float]]:
    """commandstats summed over the given nodes: calls and usec per command."""
    total: dict[str, dict[str, float]] = {}
    for client in clients:
        for name, stats in client.info("commandstats").items():
            entry = total.setdefault(name.removeprefix("cmdstat_"), {"calls": 0, "usec": 0})
            entry["calls"] += stats["calls"]
            entry["usec"] += stats["usec"]
    return total


def cpu_seconds(clients: list[redis.Redis]) -> float:
    """Redis processes' CPU (user + system), all threads."""
    total = 0.0
    for client in clients:
        cpu = client.info("cpu")
        total += float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
    return total


def net_bytes(clients: list[redis.Redis]) -> tuple[int, int]:
    inp = out = 0
    for client in clients:
        stats = client.info("stats")
        inp += int(stats["total_net_input_bytes"])
        out += int(stats["total_net_output_bytes"])
    return inp, out


async def op_latency(url: str, ops: int, wait_ms: int) -> dict[str, float]:
    """One op at a time: p50/p99 ms from publish to acknowledgement; then ops/s with
    IN_FLIGHT ops in flight."""
    store = RedisStore(url, "bench")
    backplane = RedisBackplane(url, "bench", replica_wait_ms=wait_ms)
    await backplane.start()
    try:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        got = asyncio.Event()
        delivered = 0

        def on_op(item: Sequenced) -> None:
            nonlocal delivered
            delivered += 1
            got.set()

        await backplane.subscribe(meta.id, on_op, lambda data: None)
        loop = asyncio.get_running_loop()
        times = []
        for n in range(1, ops + 1):
            start = loop.time()
            await backplane.publish(meta.id, record(n))
            times.append((loop.time() - start) * 1000)
        start = loop.time()
        sem = asyncio.Semaphore(IN_FLIGHT)

        async def one(n: int) -> None:
            async with sem:
                await backplane.publish(meta.id, record(n))

        await asyncio.gather(*(one(n) for n in range(ops + 1, 3 * ops + 1)))
        took = loop.time() - start
        return {"p50_ms": round(statistics.median(times), 3),
                "p99_ms": round(percentile(times, 0.99), 3),
                "ops_s_in_flight": round(2 * ops / took),
                "replica_waits": backplane.replica_waits,
                "not_replicated": backplane.not_replicated}
    finally:
        await backplane.close()
        await store.close()


async def per_op(url: str, nodes: list[redis.Redis], ops: int, wait_ms: int = 1000,
                 replicas: list[redis.Redis] | None = None) -> dict[str, Any]:
    """Commands, Redis CPU (the processes', all nodes together: with replicas that
    includes replication) and bytes per op, IN_FLIGHT ops in flight, one room
    subscribed by one hub. Commands that scripts run count as commands."""
    store = RedisStore(url, "bench")
    backplane = RedisBackplane(url, "bench", replica_wait_ms=wait_ms)
    replicas = replicas or []
    await backplane.start()
    try:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        await backplane.subscribe(meta.id, lambda item: None, lambda data: None)
        before, net_before = command_stats(nodes), net_bytes(nodes)
        cpu_before, replica_before = cpu_seconds(nodes), cpu_seconds(replicas)
        sem = asyncio.Semaphore(IN_FLIGHT)

        async def one(n: int) -> None:
            async with sem:
                await backplane.publish(meta.id, record(n))

        await asyncio.gather(*(one(n) for n in range(1, ops + 1)))
        cpu_after, replica_after = cpu_seconds(nodes), cpu_seconds(replicas)
        after, net_after = command_stats(nodes), net_bytes(nodes)
    finally:
        await backplane.close()
        await store.close()
    calls = {name: (after[name]["calls"] - before.get(name, {"calls": 0})["calls"]) / ops
             for name in after}
    scripts = sum(after[name]["usec"] - before.get(name, {"usec": 0})["usec"]
                  for name in after if name.startswith("evalsha"))
    return {
        "round_trips_per_op": "1 pipelined (2 with WAIT: sequence + WAIT, confirm)",
        "commands_per_op": {k: round(v, 3) for k, v in calls.items() if v >= 0.01},
        "script_us_per_op": round(scripts / ops, 2),
        "redis_cpu_us_per_op": round((cpu_after - cpu_before) * 1e6 / ops, 2),
        "of_which_replicas_us_per_op": round((replica_after - replica_before) * 1e6 / ops, 2),
        "bytes_in_per_op": round((net_after[0] - net_before[0]) / ops),
        "bytes_out_per_op": round((net_after[1] - net_before[1]) / ops),
    }


async def memory_per_session(url: str, admin: redis.Redis) -> dict[str, Any]:
    """used_memory growth for SESSIONS sessions, each with its metadata, a snapshot
    and LOG_OPS logged ops (the log between two snapshots)."""
    store = RedisStore(url, "mem")
    before = int(admin.info("memory")["used_memory"])
    snapshot_bytes = 0
    for _ in range(SESSIONS):
        meta, snapshot = session_meta()
        snapshot_bytes = len(snapshot)
        await store.create_session(meta, snapshot)
        log = store.keys(meta.id).log  # the stream the publish script writes
        for n in range(1, LOG_OPS + 1):
            admin.xadd(log, {"d": encode_sequenced(Sequenced(n, record(n)))}, id=f"{n}-0")
    after = int(admin.info("memory")["used_memory"])
    await store.close()
    return {"sessions": SESSIONS, "log_ops": LOG_OPS, "snapshot_bytes": snapshot_bytes,
            "bytes_per_session": round((after - before) / SESSIONS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path("docs/redis_costs.json"))
    args = parser.parse_args()
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"), "ops": args.ops}
    with tempfile.TemporaryDirectory() as tmp:
        single = RedisServer(Path(tmp) / "single").start()
        servers = RedisClusterServers(Path(tmp) / "cluster")
        try:
            servers.start()
            single_admin = single.client()
            configs = {"single": (single.url, 0), "cluster_no_wait": (servers.url, 0),
                       "cluster_wait_1": (servers.url, 1000)}
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
            for _ in range(ROUNDS):  # interleaved, so a busy moment hits all alike
                for name, (url, wait_ms) in configs.items():
                    rounds[name].append(asyncio.run(op_latency(url, args.ops, wait_ms)))
            result["latency"] = {
                name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                for name, runs in rounds.items()}
            result["latency_rounds"] = rounds
            every = [n.client() for n in servers.nodes]
            replicas = [n.client() for n in servers.nodes if n.role() != "master"]
            many = 5 * args.ops
            result["per_op"] = {
                "single": asyncio.run(per_op(single.url, [single_admin], many)),
                "cluster_no_wait": asyncio.run(per_op(servers.url, every, many, 0, replicas)),
                "cluster_wait_1": asyncio.run(per_op(servers.url, every, many, 1000, replicas)),
            }
            result["memory"] = asyncio.run(memory_per_session(single.url, single_admin))
        finally:
            servers.stop()
            single.stop()
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
