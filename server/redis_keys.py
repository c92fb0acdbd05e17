"""Names of a room's Redis keys and channel, shared by the Redis backplane and store,
and the client every Redis store connects with.

Every key of a room carries the room in a hash tag (``ib:{<room>}:seq``), so all
of them, and the room's (sharded) pub/sub channel, live in one Redis Cluster slot and
one Lua script may touch them all.

``connect(url)`` answers a plain client for ``redis://`` and ``rediss://`` and a
cluster client for ``redis+cluster://host:port[,host:port...]`` (``rediss+cluster``
for TLS): the seed nodes, any of the cluster's nodes, from which the client learns
the rest. A store that works with ``connect``'s client works on both as long as
every key that a script or a transaction touches together carries the same hash tag.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import SSLConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ResponseError

Client = Redis | RedisCluster
"""What ``connect`` answers: both speak the same commands, pipelines and scripts."""

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}

CONNECT_TIMEOUT_S = 2.0
MAX_CONNECTIONS = 16
"""Per client. Callers beyond it wait for a free connection (a plain pool would
raise ``Too many connections`` when a thousand clients say hello at once)."""
POOL_WAIT_S = 10.0


class RoomKeys(NamedTuple):
    seq: str
    """INCR counter: the room's last seq."""
    confirmed: str
    """The highest seq that may be shown: its op and every one before it are in the
    log (and, where the master has a replica, on a replica). Published ops and reads
    of the log never go beyond it, so a failover that loses an unconfirmed op loses
    nothing anybody saw."""
    epoch: str
    """Changes only if Redis lost the room's data."""
    log: str
    """Stream of sequenced records; entry id ``<seq>-0``, field ``d``."""
    floor: str
    """Entries below this seq may be trimmed (a durable snapshot covers them)."""
    meta: str
    """The msgpack-encoded SessionMeta."""
    snapshot: str
    """Hash ``{seq, data}``: the last durable snapshot."""
    lock: str
    """Held (SET NX PX) by the hub writing the snapshot."""
    deleted: str
    """Tombstone of a deleted session, so no hub restores it from its replica."""
    channel: str
    """Pub/sub channel of the room's ops and ephemeral messages."""
    hubs: str
    """Sorted set of the hubs subscribed to the room, each scored with the Redis time
    (ms) its registration lapses; an op is published only while another hub is in it."""


def room_keys(prefix: str, room: str) -> RoomKeys:
    base = f"{prefix}:{{{room}}}:"
    return RoomKeys(*(base + name for name in RoomKeys._fields))


def room_of_channel(prefix: str, channel: str) -> str:
    """The room of a channel name made by ``room_keys``."""
    return channel[len(prefix) + 2 : channel.rindex("}")]


def is_cluster(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def seeds(url: str) -> list[tuple[str, int]]:
    """The ``host:port`` seed nodes of a ``redis+cluster://`` URL (port 6379 if none)."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    found = []
    for part in (p.strip() for p in netloc.split(",")):
        host, port = part, "6379"
        if part.rfind(":") > part.rfind("]"):  # a port, not part of an IPv6 address
            host, _, port = part.rpartition(":")
        found.append((host.strip("[]") or "127.0.0.1", int(port)))
    return found


def credentials(url: str) -> dict[str, Any]:
    """Username, password and TLS of a URL, for a client of one node."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    user, _, password = userinfo.partition(":")
    found: dict[str, Any] = {"ssl": parts.scheme.startswith("rediss")}
    if password or user:
        found["username"] = unquote(user) or None
        found["password"] = unquote(password) or None
    return found


def node_client(url: str, host: str, port: int, max_connections: int = MAX_CONNECTIONS) -> Redis:
    """A plain client of one cluster node (no retries, no redirects): for what must
    share one connection, such as writes followed by ``WAIT``, or pub/sub."""
    extra = credentials(url)
    if extra.pop("ssl"):
        extra["connection_class"] = SSLConnection
    pool = BlockingConnectionPool(
        host=host, port=port, max_connections=max_connections, timeout=POOL_WAIT_S,
        retry=Retry(NoBackoff(), 0), socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_keepalive=True, **extra,
    )
    return Redis.from_pool(pool)


def connect(url: str, retries: int = 0) -> Client:
    """A client of one Redis, or of a Redis Cluster, that retries a failed command at
    most ``retries`` times (once is enough to replace a pooled connection that died
    with a restarted Redis). The
    publisher never retries: an op whose fate is unknown is answered
    ``unavailable`` and resent by its client, whose idempotency key makes that safe.
    A cluster client also follows MOVED and ASK redirects (the command did not run)
    and re-learns the slots after a failover."""
    if is_cluster(url):
        return RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in seeds(url)],
            max_connections=MAX_CONNECTIONS,
            retry=Retry(NoBackoff(), retries),
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_keepalive=True,
            **credentials(url),
        )
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_S,
        retry=Retry(NoBackoff(), retries),
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_keepalive=True,
    )
    return Redis.from_pool(pool)


def on_node_of(client: Client, key: str) -> dict[str, Any]:
    """Keywords that send a keyless command (``WAITAOF``, ``INFO``) to the node that
    serves ``key``: nothing for a single Redis, ``target_nodes`` on a cluster."""
    if isinstance(client, RedisCluster):
        return {"target_nodes": client.get_node_from_key(key)}
    return {}


async def rewrite_aof(client: Client) -> None:
    """Have Redis rewrite its append-only file, which still holds deleted data until
    then (only where it keeps one): the one Redis, or every node of a cluster (a
    replica keeps its own file)."""
    targets: list[dict[str, Any]] = [{}]
    if isinstance(client, RedisCluster):
        targets = [{"target_nodes": node} for node in client.get_nodes()]
    for target in targets:
        info = await client.execute_command("INFO", "persistence", **target)
        if not info.get("aof_enabled"):
            continue
        try:
            await client.execute_command("BGREWRITEAOF", **target)
        except ResponseError as exc:
            if "in progress" not in str(exc):
                raise
            # one is running: Redis starts another after it (scheduled)


def text(value: object) -> str:
    """A Redis reply (bytes, or None for a missing key) as text; None gives ""."""
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


StreamEntries = list[tuple[bytes, dict[bytes, bytes]]]


def entries(reply: object) -> StreamEntries:
    """An XRANGE reply, typed (the client answers bytes: no decode_responses)."""
    return reply if isinstance(reply, list) else []
