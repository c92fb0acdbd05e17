"""Redis for tests.

``shared_redis_url`` finds a Redis the tests may use with their own key prefix
(REDIS_URL, else 127.0.0.1:6379 if it answers); ``RedisServer`` is a redis-server
the test starts itself (free port, temp dir, AOF on), the only kind a test may
kill, restart or flush.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.server import free_port

DEFAULT_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT_S = 10.0


def answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        with client:
            return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def admin_client(url: str) -> redis.Redis | redis.RedisCluster:
    """A blocking client of a ``redis://`` or a ``redis+cluster://`` URL."""
    if url.startswith("redis+cluster://"):
        host, _, port = url.removeprefix("redis+cluster://").split(",")[0].rpartition(":")
        return redis.RedisCluster(host=host, port=int(port))
    return redis.Redis.from_url(url)


def delete_prefix(url: str, prefix: str) -> None:
    """Remove every key a test made under its own prefix (on a cluster: on every
    master)."""
    if url.startswith("redis+cluster://"):
        with admin_client(url) as cluster:
            for key in list(cluster.scan_iter(match=f"{prefix}:*", count=1000)):
                cluster.delete(key)
        return
    with redis.Redis.from_url(url) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])


class RedisServer:
    """redis-server on a free loopback port, AOF ``appendfsync everysec``."""

    def __init__(self, directory: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed")
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--daemonize", "no", "--logfile", str(self.dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: "
                                   + (self.dir / "redis.log").read_text(errors="replace"))
        return self

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def kill_pubsub(self) -> int:
        """CLIENT KILL TYPE pubsub: the connections dropped."""
        with self.client() as admin:
            return int(admin.client_kill_filter(_type="pubsub"))

    def flushall(self) -> None:
        with self.client() as admin:
            admin.flushall()

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no final AOF rewrite."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()


@contextmanager
def own_redis(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.stop()
