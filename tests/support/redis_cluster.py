"""A real Redis Cluster on loopback: 3 masters and 3 replicas, each a redis-server of
the test's own (AOF on, ``cluster-node-timeout`` short so a replica takes over within
about two seconds), joined by ``redis-cli --cluster create --cluster-replicas 1``.

The hubs reach it with ``redis+cluster://127.0.0.1:<port>,...`` naming every master
as a seed node.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.redis import RedisServer, answers
from tests.support.server import free_port

NODE_TIMEOUT_MS = 1000
READY_TIMEOUT_S = 20.0
BUS_OFFSET = 10000
"""Redis opens the cluster bus on the port plus this."""


def cluster_port() -> int:
    """A free port whose cluster bus port is free as well."""
    while True:
        port = free_port()
        if port + BUS_OFFSET >= 65536:
            continue
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + BUS_OFFSET))
        except OSError:
            continue
        return port


class ClusterNodeServer(RedisServer):
    """One redis-server with ``cluster-enabled yes``."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.port = cluster_port()

    def start(self) -> ClusterNodeServer:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--daemonize", "no", "--logfile", str(self.dir / "redis.log"),
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
             # a replica syncs at once and may take over however long its master was away
             "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not answers(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: "
                                   + (self.dir / "redis.log").read_text(errors="replace"))
            time.sleep(0.02)
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def role(self) -> str:
        with self.client() as admin:
            return str(admin.info("replication")["role"])


class RedisClusterServers:
    """Six cluster nodes; ``url`` names the masters as seeds."""

    def __init__(self, directory: Path, masters: int = 3) -> None:
        if shutil.which("redis-cli") is None:
            raise RuntimeError("redis-cli is not installed (Debian: redis-tools)")
        self.nodes = [ClusterNodeServer(directory / f"node{n}") for n in range(2 * masters)]
        self.masters = masters

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(node.address for node in self.nodes[:self.masters])

    def start(self) -> RedisClusterServers:
        for node in self.nodes:
            node.start()
        subprocess.run(
            ["redis-cli", "--cluster", "create", *(node.address for node in self.nodes),
             "--cluster-replicas", "1", "--cluster-yes"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=60,
        )
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """Until every live node reports ``cluster_state:ok``, each master of the
        slots has its replica attached, and ``CLUSTER SLOTS`` (what clients learn
        the topology from) lists a replica for every slot range."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if all(self._ok(node) for node in self.live()) and self._replicas_listed():
                return
            time.sleep(0.05)
        raise RuntimeError("Redis Cluster not ready")

    def _replicas_listed(self) -> bool:
        for node in self.live():
            try:
                with node.client() as admin:
                    ranges = admin.execute_command("CLUSTER", "SLOTS")
            except (redis.RedisError, OSError):
                return False
            if not ranges or any(len(entry) < 4 for entry in ranges):
                return False
        return True

    @staticmethod
    def _ok(node: ClusterNodeServer) -> bool:
        try:
            with node.client() as admin:
                info = admin.cluster("info")
                state = info.get("cluster_state") if isinstance(info, dict) else None
                replication = admin.info("replication")
                if replication["role"] == "master" and int(replication.get("connected_slaves", 0)):
                    return state == "ok" and "online" in str(replication["slave0"])
                return state == "ok" and (replication["role"] != "slave"
                                          or replication.get("master_link_status") == "up")
        except (redis.RedisError, OSError):
            return False

    def live(self) -> list[ClusterNodeServer]:
        return [n for n in self.nodes if n.proc is not None and n.proc.poll() is None]

    def master_of(self, key: str) -> ClusterNodeServer:
        """The node serving ``key``'s slot now."""
        with self.live()[0].client() as admin:
            slot = int(admin.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, master, *_ in admin.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end):
                    port = int(master[1])
                    return next(n for n in self.nodes if n.port == port)
        raise LookupError(key)

    def replica_of(self, master: ClusterNodeServer) -> ClusterNodeServer:
        with master.client() as admin:
            info = admin.info("replication")
        port = int(info["slave0"]["port"])
        return next(n for n in self.nodes if n.port == port)

    def client(self) -> redis.RedisCluster:
        node = self.live()[0]
        return redis.RedisCluster(host="127.0.0.1", port=node.port)

    def kill_pubsub(self) -> int:
        """CLIENT KILL TYPE pubsub on every live node: the connections dropped."""
        killed = 0
        for node in self.live():
            with node.client() as admin:
                killed += int(admin.client_kill_filter(_type="pubsub"))
        return killed

    def flushall(self) -> None:
        for node in self.live():
            with node.client() as admin:
                if admin.info("replication")["role"] == "master":
                    admin.flushall()

    def failover(self, key: str) -> tuple[ClusterNodeServer, ClusterNodeServer]:
        """SIGKILL the master serving ``key``; returns it and its replica, which the
        cluster promotes (``wait_promoted``)."""
        master = self.master_of(key)
        replica = self.replica_of(master)
        master.kill9()
        return master, replica

    def wait_promoted(self, replica: ClusterNodeServer, timeout: float = 15.0) -> float:
        """Seconds until ``replica`` is a master and the cluster is ok again."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                if replica.role() == "master" and self._ok(replica):
                    return time.monotonic() - start
            except (redis.RedisError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError("replica not promoted")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@contextmanager
def own_redis_cluster(directory: Path) -> Iterator[RedisClusterServers]:
    servers = RedisClusterServers(directory)
    try:
        yield servers.start()
    finally:
        servers.stop()
