"""The parent of a benchmark run: starts a system, drives the workers, measures.

Each ``run_*`` function starts what it measures, runs one load against it, and
returns a plain dict for the report. Server CPU and memory come from psutil on the
server processes (hubs and, in the two-hub topology, Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import secrets
import time
import urllib.request
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from tests.bench import systems
from tests.bench.worker import Assignment, Result, RoomSpec, main, prepare_board_room

P99_LIMIT_MS = 50.0
RATE_TOLERANCE = 0.95
"""A step counts as sustained only if this share of the planned ops went out."""
START_DELAY_S = 0.5
SETTLE_S = 2.0
PREPARE_CONCURRENCY = 32
KILLED_HUB = 1


@dataclass
class Sizes:
    """Every load's size; ``smoke()`` gives the tiny version."""

    a_sessions: int = 200
    a_size: int = 8
    a_rate: float = 1.0
    b_size: int = 500
    b_room_rate: float = 10.0
    c_connections: int = 10_000
    kill_clients: int = 500
    kill_room_rate: float = 20.0
    kill_after: float = 5.0
    duration: float = 15.0
    warmup: float = 3.0
    max_steps: int = 8
    workers: int = 2
    drain_timeout: float = 15.0
    converge_timeout: float = 60.0

    @classmethod
    def smoke(cls) -> Sizes:
        """A few clients per load and one short step: every path, no figures."""
        return cls(a_sessions=4, a_size=4, b_size=12, b_room_rate=12.0, c_connections=40,
                   kill_clients=12, kill_room_rate=12.0, kill_after=1.5, duration=1.5,
                   warmup=0.3, max_steps=1, workers=2, drain_timeout=10.0,
                   converge_timeout=20.0)


SIZE_HELP = {
    "a_sessions": "load A: sessions",
    "a_size": "load A: clients per session",
    "a_rate": "load A: ops/s per client at the base step",
    "b_size": "load B: clients in the one session",
    "b_room_rate": "load B: ops/s in the session at the base step",
    "c_connections": "load C: idle connections",
    "kill_clients": "hub kill: clients in the one session",
    "kill_room_rate": "hub kill: ops/s in the session until the kill",
    "kill_after": "hub kill: seconds of ops before the SIGKILL",
    "duration": "seconds per rate step",
    "warmup": "seconds at the start of a step left out of the latencies",
    "max_steps": "most rate steps (base, 2x, 4x ...) per load",
    "workers": "load generator processes",
    "drain_timeout": "seconds to wait for the last deliveries after a step",
    "converge_timeout": "seconds to wait for convergence after the hub kill",
}


class Generator:
    """The worker processes of the load generator."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        for _ in range(count):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=main, args=(child,), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def send(self, command: str, args: list[Any] | Any) -> None:
        per_worker = args if isinstance(args, list) else [args] * len(self.pipes)
        for pipe, arg in zip(self.pipes, per_worker, strict=True):
            pipe.send((command, arg))

    def receive(self) -> list[Any]:
        answers = [pipe.recv() for pipe in self.pipes]
        failed = [a[1] for a in answers if a[0] == "error"]
        if failed:
            raise RuntimeError(f"worker failed: {failed}")
        return [a[1] for a in answers]

    def call(self, command: str, args: list[Any] | Any) -> list[Any]:
        self.send(command, args)
        return self.receive()

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send(("close", None))
                if pipe.poll(30):
                    pipe.recv()
            except (OSError, EOFError):
                pass
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)


def _psutil() -> Any:
    """psutil (the ``bench`` extra); None without it: CPU and memory then read 0."""
    try:
        import psutil
    except ImportError:
        return None
    return psutil


def cpu_seconds(pids: list[int]) -> float:
    psutil = _psutil()
    if psutil is None:
        return 0.0
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def rss_bytes(pids: list[int]) -> int:
    psutil = _psutil()
    if psutil is None:
        return 0
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            continue
    return total


def create_session(port: int) -> tuple[str, str, str]:
    body = json.dumps({"title": "Benchmark", "method": "tienstappen"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/sessions", data=body,
                                     method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    return (answer["session_id"], answer["facilitator_link"].split("#k=")[1],
            answer["invite_link"].split("#k=")[1])


def make_rooms(dep: systems.Deployment, count: int, size: int, prepare: bool
               ) -> list[RoomSpec]:
    """Rooms for the system; Intervisiebord sessions are created over HTTP and, with
    ``prepare``, moved by their facilitator to the step where everyone may add."""
    if dep.system != "intervisiebord":
        return [RoomSpec(f"r{n}-{secrets.token_hex(4)}", size) for n in range(count)]
    created = [create_session(dep.ports[0]) for _ in range(count)]
    if prepare:
        async def prepare_all() -> None:
            gate = asyncio.Semaphore(PREPARE_CONCURRENCY)

            async def one(session_id: str, token: str) -> None:
                async with gate:
                    await prepare_board_room(home_port(dep, session_id), session_id, token)

            await asyncio.gather(*(one(s, f) for s, f, _ in created))

        asyncio.run(prepare_all())
    return [RoomSpec(s, size, invite) for s, _, invite in created]


def home_port(dep: systems.Deployment, room_id: str) -> int:
    """The hub a session's facilitator prepares it on: with affinity the one its
    members go to (as nginx's hash places them; worker.py picks alike), so no other
    hub keeps the room loaded; else the first."""
    if dep.topology == "affinity":
        return dep.ports[zlib.crc32(room_id.encode()) % len(dep.ports)]
    return dep.ports[0]


def assign(dep: systems.Deployment, rooms: list[RoomSpec], workers: int,
           reconnect: bool = False) -> list[Assignment]:
    """Split all members over the workers in contiguous runs (so rooms mostly stay whole)."""
    members = [(r, i) for r, room in enumerate(rooms) for i in range(room.size)]
    per = -(-len(members) // workers)
    return [Assignment(dep.system, dep.ports, rooms, members[w * per:(w + 1) * per],
                       reconnect=reconnect, seed=w, affinity=dep.topology == "affinity")
            for w in range(workers)]


def percentiles(latencies_us: array[int]) -> dict[str, float]:
    if not latencies_us:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}
    values = sorted(latencies_us)
    n = len(values)
    return {"p50_ms": values[n // 2] / 1000, "p99_ms": values[min(n - 1, int(n * 0.99))] / 1000,
            "max_ms": values[-1] / 1000}


def merge_errors(results: list[Result]) -> tuple[dict[str, int], list[str]]:
    errors: dict[str, int] = {}
    examples: list[str] = []
    for result in results:
        for kind, count in result.errors.items():
            errors[kind] = errors.get(kind, 0) + count
        examples.extend(result.examples)
    return errors, examples[:20]


def _connect(gen: Generator, dep: systems.Deployment, rooms: list[RoomSpec], sizes: Sizes,
             with_items: bool, reconnect: bool = False) -> dict[str, Any]:
    gen.call("assign", assign(dep, rooms, sizes.workers, reconnect))
    answers = gen.call("connect", {"with_items": with_items})
    errors: dict[str, int] = {}
    for answer in answers:
        for kind, count in answer["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    return {"connected": sum(a["connected"] for a in answers),
            "connect_s": max(a["seconds"] for a in answers), "setup_errors": errors}


def hub_counters(dep: systems.Deployment) -> list[dict[str, Any]]:
    """Each Intervisiebord hub's /healthz counters (ops applied, the backplane's);
    cumulative since the hub started."""
    if dep.system != "intervisiebord":
        return []
    found = []
    for port in dep.ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                health = json.load(answer)
        except (OSError, ValueError):
            continue
        found.append({"ops_applied": health.get("ops_applied"),
                      **health.get("backplane", {})})
    return found


def rate_step(gen: Generator, dep: systems.Deployment, rate: float, clients: int,
              sizes: Sizes) -> dict[str, Any]:
    """One open-loop step: every client sends ``rate`` ops/s for ``sizes.duration``."""
    start_at = time.time() + START_DELAY_S
    stop_at = start_at + sizes.duration
    server_pids, gen_pids = dep.server_pids(), gen.pids()
    redis_pids = [dep.redis.pid] if dep.redis is not None else []
    cpu0, redis0 = cpu_seconds(server_pids), cpu_seconds(redis_pids)
    generated = gen.call("generate", {"rate": rate, "start_at": start_at, "stop_at": stop_at,
                                      "warmup": sizes.warmup})
    sent: dict[tuple[int, int], int] = {}
    for result in generated:
        sent.update(result.sent)
    expected: dict[int, int] = {}
    for (room, _), count in sent.items():
        expected[room] = expected.get(room, 0) + count
    drained: list[Result] = gen.call("drain", {"expected": expected,
                                               "timeout": sizes.drain_timeout})
    server_cpu = cpu_seconds(server_pids) - cpu0
    counters = hub_counters(dep)
    redis_cpu = cpu_seconds(redis_pids) - redis0
    latencies: array[int] = array("q")
    for result in drained:
        latencies.frombytes(result.latencies_us)
    received: dict[tuple[int, int], int] = {}
    for result in drained:
        received.update(result.received)
    lost = sum(max(0, expected[room] - got) for (room, _), got in received.items())
    errors, examples = merge_errors(drained)
    if lost:
        errors["lost"] = lost
    ops = sum(r.ops for r in generated)
    deliveries = sum(r.deliveries for r in drained)
    gen_cpu = sum(r.cpu_s for r in drained)
    target = rate * clients
    window = max([sizes.duration, *(r.elapsed for r in generated)])
    achieved = ops / window
    step = {
        "rate_per_client": rate, "target_ops_s": target, "ops_s": achieved, "ops": ops,
        "deliveries": deliveries, "deliveries_s": deliveries / sizes.duration,
        **percentiles(latencies), "samples": len(latencies),
        "server_cpu_us_per_delivery": 1e6 * server_cpu / deliveries if deliveries else None,
        "generator_cpu_us_per_delivery": 1e6 * gen_cpu / deliveries if deliveries else None,
        "redis_cpu_us_per_delivery": (1e6 * redis_cpu / deliveries
                                      if deliveries and redis_pids else None),
        "server_cpu_share": server_cpu / (sizes.duration + 1e-9),
        "generator_cpu_share": gen_cpu / (sizes.duration + 1e-9),
        "generator_lag_p99_ms": max(r.extra["lag_p99_ms"] for r in generated),
        "generator_lag_max_ms": max(r.extra["lag_max_ms"] for r in generated),
        "errors": errors, "examples": examples, "generator_pids": len(gen_pids),
        "hub_counters": counters,
    }
    step["sustained"] = (not errors and step["p99_ms"] <= P99_LIMIT_MS
                         and achieved >= RATE_TOLERANCE * target)
    return step


@contextlib.contextmanager
def _generator(sizes: Sizes, gen: Generator | None) -> Iterator[Generator]:
    """The given generator (its clients are released afterwards) or a new one."""
    if gen is not None:
        try:
            yield gen
        finally:
            gen.call("release", None)
        return
    own = Generator(sizes.workers)
    try:
        yield own
    finally:
        own.close()


def run_rates(system: str, topology: str, load: str, sizes: Sizes,
              extra_args: tuple[str, ...] = (), gen: Generator | None = None
              ) -> dict[str, Any]:
    """Load A or B: the base rate, then 2x, 4x ... until p99 > 50 ms (or max_steps);
    if the base rate does not hold, 1/2x, 1/4x ... until one holds."""
    if load == "A":
        count, size, base = sizes.a_sessions, sizes.a_size, sizes.a_rate
    else:
        count, size, base = 1, sizes.b_size, sizes.b_room_rate / sizes.b_size
    dep = systems.start(system, topology, extra_args=extra_args)
    try:
        with _generator(sizes, gen) as gen:
            return _rates(dep, gen, load, count, size, base, sizes)
    finally:
        systems.cleanup(dep)


def _rates(dep: systems.Deployment, gen: Generator, load: str, count: int, size: int,
           base: float, sizes: Sizes) -> dict[str, Any]:
    system, topology = dep.system, dep.topology
    rooms = make_rooms(dep, count, size, prepare=True)
    setup = _connect(gen, dep, rooms, sizes, with_items=True)
    steps: list[dict[str, Any]] = []

    def step_at(factor: float) -> dict[str, Any]:
        step = rate_step(gen, dep, base * factor, count * size, sizes)
        steps.append(step)
        print(f"  {system}/{topology} load {load} x{factor:.3g}: {step['ops_s']:.0f} ops/s "
              f"p50 {step['p50_ms']:.1f} p99 {step['p99_ms']:.1f} max {step['max_ms']:.1f} ms"
              f" server {step['server_cpu_us_per_delivery'] or 0:.0f} us/delivery"
              + (f" (redis {step['redis_cpu_us_per_delivery']:.0f})"
                 if step['redis_cpu_us_per_delivery'] is not None else "")
              + f" errors {step['errors'] or 'none'}", flush=True)
        return step

    for k in range(sizes.max_steps):
        if not step_at(2**k)["sustained"]:
            if k > 0 and sizes.max_steps > 1:
                step_at(2 ** (k - 0.5))  # between the last good and the first bad step
            break
    else:
        k = -1
    if k == 0:
        # not even the base rate held: halve until a rate holds, so the limit is known
        for j in range(1, sizes.max_steps):
            if step_at(2**-j)["sustained"]:
                step_at(2 ** (0.5 - j))  # between the first good and the last bad step
                break
    sustained = [s["ops_s"] for s in steps if s["sustained"]]
    return {"system": system, "topology": topology, "load": load, "rooms": count,
            "size": size, **setup, "steps": steps,
            "max_sustained_ops_s": max(sustained) if sustained else 0.0,
            "limit_found": any(not s["sustained"] for s in steps)}


def run_idle(system: str, topology: str, sizes: Sizes, room_size: int = 8,
             gen: Generator | None = None) -> dict[str, Any]:
    """Load C: memory per idle connection = server RSS growth / connections."""
    dep = systems.start(system, topology)
    try:
        with _generator(sizes, gen) as gen:
            return _idle(dep, gen, sizes, room_size)
    finally:
        systems.cleanup(dep)


def _idle(dep: systems.Deployment, gen: Generator, sizes: Sizes, room_size: int
          ) -> dict[str, Any]:
    system, topology = dep.system, dep.topology
    rooms = make_rooms(dep, -(-sizes.c_connections // room_size), room_size, prepare=False)
    pids = dep.server_pids()
    time.sleep(SETTLE_S)
    before = rss_bytes(pids)
    setup = _connect(gen, dep, rooms, sizes, with_items=False)
    time.sleep(SETTLE_S)
    after = rss_bytes(pids)
    per = (after - before) / setup["connected"]
    print(f"  {system}/{topology} load C: {setup['connected']} connections, "
          f"{per / 1024:.1f} KiB each", flush=True)
    return {"system": system, "topology": topology, "load": "C", **setup,
            "rss_before": before, "rss_after": after, "bytes_per_connection": per,
            "errors": setup["setup_errors"]}


def run_kill(sizes: Sizes, gen: Generator | None = None) -> dict[str, Any]:
    """SIGKILL one of two hubs under load; time until every client has the same state."""
    dep = systems.start("intervisiebord", "two")
    try:
        with _generator(sizes, gen) as gen:
            return _kill(dep, gen, sizes)
    finally:
        systems.cleanup(dep)


def _kill(dep: systems.Deployment, gen: Generator, sizes: Sizes) -> dict[str, Any]:
    rooms = make_rooms(dep, 1, sizes.kill_clients, prepare=True)
    setup = _connect(gen, dep, rooms, sizes, with_items=True, reconnect=True)
    rate = sizes.kill_room_rate / sizes.kill_clients
    start_at = time.time() + START_DELAY_S
    kill_at = start_at + sizes.kill_after
    gen.send("generate", {"rate": rate, "start_at": start_at, "stop_at": kill_at,
                          "warmup": 0.0})
    time.sleep(max(0.0, kill_at - time.time()))
    dep.hubs[KILLED_HUB].kill()
    killed_at = time.time()
    gen.receive()
    settled = gen.call("settle", {"killed_hub": KILLED_HUB,
                                  "timeout": sizes.converge_timeout})
    target = max(r.extra["max_seq"] for r in settled)
    final: list[Result] = gen.call("converge", {"target_seq": target,
                                                "timeout": sizes.converge_timeout})
    own: dict[tuple[int, int], int] = {}
    for result in final:
        own.update(result.extra["own_last"])
    expected = sum(own.values())
    lost = sum(max(0, expected - got) for got in
               (v for r in final for v in r.received.values()))
    last = max(r.extra["last_activity"] + r.extra["monotonic_offset"] for r in final)
    seqs = sorted({s for r in final for s in r.extra["seqs"]})
    hashes = {h for r in final for h in r.extra["hashes"]}
    errors, examples = merge_errors(final)
    unanswered = sum(r.extra["unanswered"] for r in final)
    converged = (all(r.extra["settled"] for r in settled)
                 and all(r.extra["converged"] for r in final)
                 and len(seqs) == 1 and len(hashes) == 1 and unanswered == 0)
    if lost:
        errors["lost"] = lost
    if not converged:
        errors["not_converged"] = 1
    outcome = {"system": "intervisiebord", "topology": "two", "load": "kill", **setup,
              "ops": expected, "converge_s": max(0.0, last - killed_at),
              "converged": converged, "lost": lost, "seqs": seqs[:5],
              "reconnects": sum(r.extra["reconnects"] for r in final),
              "errors": errors, "examples": examples}
    print(f"  intervisiebord/two kill: {outcome['reconnects']} reconnects, converged "
          f"{converged} in {outcome['converge_s']:.2f} s, lost {lost}", flush=True)
    return outcome

