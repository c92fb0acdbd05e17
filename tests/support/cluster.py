"""The deployment's topology on loopback, without containers: a redis-server of the
test's own (AOF on), or a Redis Cluster of its own (3 masters, 3 replicas), two hub
subprocesses with ``--redis-url``, nginx in front."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.nginx import NginxProcess
from tests.support.redis import RedisServer
from tests.support.redis_cluster import RedisClusterServers
from tests.support.server import ServerProcess

FAST_LIMITS = ("--rate-per-s", "2000", "--rate-burst", "2000")
"""The chaos tests send faster than a person; the rate limit is not what they test."""


REDIS_KINDS = ("single", "cluster")
"""How a test body parametrised over the Redis behind the hubs names them."""


@dataclass
class Cluster:
    redis: RedisServer | RedisClusterServers
    hubs: list[ServerProcess]
    nginx: NginxProcess

    def connections(self, hubs: list[ServerProcess] | None = None) -> list[int]:
        """Open websockets per hub, from each hub's /healthz."""
        counts = []
        for hub in self.hubs if hubs is None else hubs:
            with urllib.request.urlopen(hub.base + "/healthz", timeout=5) as response:
                body: dict[str, Any] = json.load(response)
            counts.append(int(body["connections"]))
        return counts

    def seq_of(self, session_id: str) -> int:
        """The session's last confirmed seq in Redis (what clients may see)."""
        with self.redis.client() as admin:
            return int(admin.get(f"ib:{{{session_id}}}:confirmed") or 0)

    def subscribers(self, session_id: str) -> int:
        """Connections subscribed to the session's channel (on a cluster: sharded, on
        the master serving its slot)."""
        channel = f"ib:{{{session_id}}}:channel"
        if isinstance(self.redis, RedisClusterServers):
            with self.redis.master_of(channel).client() as admin:
                reply = admin.execute_command("PUBSUB", "SHARDNUMSUB", channel)
        else:
            with self.redis.client() as admin:
                reply = admin.execute_command("PUBSUB", "NUMSUB", channel)
        return int(reply[1])

    def healthz(self, hub: ServerProcess) -> dict[str, Any]:
        with urllib.request.urlopen(hub.base + "/healthz", timeout=5) as response:
            body: dict[str, Any] = json.load(response)
        return body


@contextmanager
def cluster(tmp_path: Path, *hub_args: str, with_nginx: bool = True,
            redis_kind: str = "single") -> Iterator[Cluster]:
    with ExitStack() as stack:
        redis: RedisServer | RedisClusterServers
        if redis_kind == "cluster":
            redis = RedisClusterServers(tmp_path / "redis")
            stack.callback(redis.stop)
            redis.start()
        else:
            redis = RedisServer(tmp_path / "redis").start()
            stack.callback(redis.stop)
        hubs = []
        for n in (1, 2):
            hub = ServerProcess(tmp_path / f"hub{n}", None, *FAST_LIMITS, *hub_args,
                                redis_url=redis.url)
            stack.callback(hub.stop)
            hubs.append(hub.start())
        nginx = NginxProcess(tmp_path / "nginx", [hub.port for hub in hubs])
        if with_nginx:
            nginx.start()
            stack.callback(nginx.stop)
        try:
            yield Cluster(redis, hubs, nginx)
        except BaseException:
            for n, hub in enumerate(hubs, start=1):  # shown by pytest for the failure
                print(f"--- hub {n} output (last 60 lines)\n" + "".join(hub.output[-60:]))
            raise
