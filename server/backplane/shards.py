"""Where a room's keys and channel live: the one Redis, or the Redis Cluster master
that serves their slot; and a plain client per such node.

The backplane needs plain clients of single nodes for what must share one connection
or one node: a pipeline of op scripts followed by ``WAIT`` (which counts the writes
of its own connection), and a (sharded) pub/sub connection.

Invariants:
- ``node_of`` answers from the slot map last learnt; after a MOVED reply or a node
  that stopped answering, ``refresh`` re-learns it from the cluster (at most one
  refresh runs at a time; callers that asked meanwhile share it);
- a single Redis is one node named ``""``.
"""

from __future__ import annotations

import asyncio
import contextlib

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from server.redis_keys import Client, connect, node_client

PUBLISH_CONNECTIONS = 4
"""Per node: the publisher keeps one pipeline in flight per node; reads share the
command client."""


class Shards:
    def __init__(self, url: str, client: Client) -> None:
        self.url = url
        self.client = client
        self.cluster = isinstance(client, RedisCluster)
        self._plain: dict[str, Redis] = {}
        self._refreshing: asyncio.Task[None] | None = None
        self.refreshes = 0

    async def start(self) -> None:
        if isinstance(self.client, RedisCluster):
            await self.client.initialize()

    def node_of(self, key: str) -> str:
        """``host:port`` of the master serving ``key`` (``""`` for a single Redis)."""
        if not isinstance(self.client, RedisCluster):
            return ""
        node = self.client.get_node_from_key(key)
        return "" if node is None else str(node.name)

    def replicas_of(self, key: str) -> int:
        """Replicas the slot map lists for ``key``'s master (0 for a single Redis)."""
        if not isinstance(self.client, RedisCluster):
            return 0
        slot = self.client.keyslot(key)
        return max(0, len(self.client.nodes_manager.slots_cache.get(slot, [])) - 1)

    def slot_of(self, key: str) -> int:
        return self.client.keyslot(key) if isinstance(self.client, RedisCluster) else 0

    def plain(self, node: str) -> Redis:
        """A client of that node alone (no redirects followed)."""
        client = self._plain.get(node)
        if client is None:
            if node:
                host, _, port = node.rpartition(":")
                client = node_client(self.url, host, int(port), PUBLISH_CONNECTIONS)
            else:
                plain = connect(self.url)
                assert isinstance(plain, Redis)
                client = plain
            self._plain[node] = client
        return client

    async def refresh(self) -> None:
        """Re-learn the slot map (a no-op for a single Redis)."""
        if not isinstance(self.client, RedisCluster):
            return
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh())
        await asyncio.shield(self._refreshing)

    async def _refresh(self) -> None:
        assert isinstance(self.client, RedisCluster)
        self.refreshes += 1
        await self.client.nodes_manager.initialize()

    async def aclose(self) -> None:
        """Stops a refresh under way (it would re-open connections of the cluster
        client closed after this), then closes the plain clients."""
        refreshing, self._refreshing = self._refreshing, None
        if refreshing is not None and not refreshing.done():
            refreshing.cancel()
            with contextlib.suppress(BaseException):
                await refreshing
        for client in self._plain.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self._plain.clear()
