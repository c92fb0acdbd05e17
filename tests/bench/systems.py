"""Start and stop what is measured: Intervisiebord hubs, the two peers and a Redis.

Every process is a real subprocess on a free port of 127.0.0.1. A topology is one
process (``one``) or two processes with a Redis between them (``two``); the Redis is
a private ``redis-server`` started here on a free port with a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_ROOT_ENV = "BENCH_SERVER_ROOT"
"""Set to another checkout to measure its ``server`` package instead of this one."""


def server_root() -> Path:
    return Path(os.environ.get(SERVER_ROOT_ENV) or ROOT)
START_TIMEOUT_S = 30.0
PR_SET_PDEATHSIG = 1
SYSTEMS = ("intervisiebord", "raw", "socketio", "node")
NODE_PEER = ROOT / "tests" / "bench" / "peers" / "node"
"""Node's socket.io with its Redis adapter (``node``); scripts/bench installs it."""
TOPOLOGIES = ("one", "two", "affinity", "one-redis")
"""``one``: one process on its embedded default (SQLite); ``two``: each session's
members spread over two hubs with Redis; ``affinity``: two hubs, each session's
members all on one of them (as nginx's consistent hash places them); ``one-redis``:
one hub with Redis, the scale-out deployment before a second hub is added."""


class Skipped(Exception):
    """This system cannot run in this topology here (the reason is printed)."""


def raise_nofile_limit() -> int:
    """Raise the soft open-files limit to the hard one; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}: {proc.args}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open within {timeout} s: {proc.args}")


@dataclass
class Proc:
    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def _die_with_parent() -> None:
    """Linux: SIGKILL this child when the harness dies, so no server outlives a run."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(name: str, args: list[str], port: int, workdir: Path, cwd: Path = ROOT) -> Proc:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                 preexec_fn=_die_with_parent,
                                 env={**os.environ, "PYTHONUNBUFFERED": "1"})
    proc = Proc(name, port, popen, log)
    try:
        wait_for_port(port, popen, START_TIMEOUT_S)
    except RuntimeError as exc:
        proc.kill()
        raise RuntimeError(f"{exc}\n{log.read_text(errors='replace')[-2000:]}") from exc
    return proc


def server_supports_redis() -> bool:
    """Whether the installed ``intervisiebord serve`` has the ``--redis-url`` flag."""
    out = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--help"],
                         cwd=server_root(),
                         capture_output=True, text=True, timeout=60, check=False)
    return "--redis-url" in out.stdout


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@dataclass
class Deployment:
    """The processes of one system in one topology; ``hubs`` are what clients reach."""

    system: str
    topology: str
    workdir: Path
    hubs: list[Proc] = field(default_factory=list)
    redis: Proc | None = None

    @property
    def ports(self) -> list[int]:
        return [hub.port for hub in self.hubs]

    def server_pids(self) -> list[int]:
        """Every process that does the server's work (hubs and Redis)."""
        procs = [*self.hubs, *([self.redis] if self.redis else [])]
        return [p.pid for p in procs if p.alive()]

    def hub_pids(self) -> list[int]:
        return [p.pid for p in self.hubs if p.alive()]

    def stop(self) -> None:
        for proc in [*self.hubs, *([self.redis] if self.redis else [])]:
            proc.stop()


def _start_redis(workdir: Path) -> Proc:
    if not redis_available():
        raise Skipped("skipped: no redis-server installed")
    port = free_port()
    data = workdir / "redis"
    data.mkdir()
    return spawn("redis", ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                           "--dir", str(data), "--save", "", "--appendonly", "no",
                           "--maxclients", "20000", "--protected-mode", "no"], port, workdir)


def _hub_args(system: str, port: int, workdir: Path, index: int, redis_url: str) -> list[str]:
    py = sys.executable
    match system:
        case "intervisiebord":
            args = [py, "-m", "server.cli", "serve", "--port", str(port),
                    "--data-dir", str(workdir / f"data{index}"), "--log-level", "warning"]
            return [*args, "--redis-url", redis_url] if redis_url else args
        case "raw":
            return [py, "-m", "tests.bench.peers.raw_ws", "--port", str(port),
                    "--redis-url", redis_url]
        case "socketio":
            return [py, "-m", "tests.bench.peers.socketio_app", "--port", str(port),
                    "--redis-url", redis_url]
        case "node":
            if shutil.which("node") is None or not (NODE_PEER / "node_modules").is_dir():
                raise Skipped("skipped: Node.js or the peer's packages are missing "
                              "(scripts/bench installs them)")
            return ["node", str(NODE_PEER / "server.js"), "--port", str(port),
                    "--redis-url", redis_url]
    raise ValueError(system)


def start(system: str, topology: str, hub_count: int = 2, extra_args: tuple[str, ...] = ()
          ) -> Deployment:
    """Start ``system`` in ``topology``; raises Skipped when it cannot run here."""
    raise_nofile_limit()
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{system}-{topology}-"))
    dep = Deployment(system, topology, workdir)
    try:
        redis_url = ""
        count = 1
        if topology in ("two", "affinity", "one-redis"):
            if system == "intervisiebord" and not server_supports_redis():
                raise Skipped("skipped: server has no --redis-url")
            dep.redis = _start_redis(workdir)
            redis_url = f"redis://127.0.0.1:{dep.redis.port}/0"
            count = 1 if topology == "one-redis" else hub_count
        for index in range(count):
            port = free_port()
            dep.hubs.append(spawn(f"{system}{index}",
                                  [*_hub_args(system, port, workdir, index, redis_url),
                                   *extra_args],
                                  port, workdir,
                                  server_root() if system == "intervisiebord" else ROOT))
    except BaseException:
        dep.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return dep


def cleanup(dep: Deployment) -> None:
    dep.stop()
    shutil.rmtree(dep.workdir, ignore_errors=True)
