"""Names of a room's Redis keys and channel, shared by the Redis backplane and store.

Every key of a room carries the room in a hash tag (``ib:{<room>}:seq``), so all
of them live in one Redis Cluster slot and one Lua script may touch them all.
"""

from __future__ import annotations

from typing import NamedTuple

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

CONNECT_TIMEOUT_S = 2.0
MAX_CONNECTIONS = 16
"""Per client. Callers beyond it wait for a free connection (a plain pool would
raise ``Too many connections`` when a thousand clients say hello at once)."""
POOL_WAIT_S = 10.0


class RoomKeys(NamedTuple):
    seq: str
    """INCR counter: the room's last seq."""
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


def room_keys(prefix: str, room: str) -> RoomKeys:
    base = f"{prefix}:{{{room}}}:"
    return RoomKeys(*(base + name for name in RoomKeys._fields))


def room_of_channel(prefix: str, channel: str) -> str:
    """The room of a channel name made by ``room_keys``."""
    return channel[len(prefix) + 2 : channel.rindex("}")]


def connect(url: str, retries: int = 0) -> Redis:
    """A client that retries a failed command at most ``retries`` times (once is
    enough to replace a pooled connection that died with a restarted Redis). The
    publisher never retries: an op whose fate is unknown is answered
    ``unavailable`` and resent by its client, whose idempotency key makes that safe."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=POOL_WAIT_S,
        retry=Retry(NoBackoff(), retries),
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_keepalive=True,
    )
    return Redis.from_pool(pool)


def text(value: object) -> str:
    """A Redis reply (bytes, or None for a missing key) as text; None gives ""."""
    if isinstance(value, bytes):
        return value.decode()
    return "" if value is None else str(value)


StreamEntries = list[tuple[bytes, dict[bytes, bytes]]]


def entries(reply: object) -> StreamEntries:
    """An XRANGE reply, typed (the client answers bytes: no decode_responses)."""
    return reply if isinstance(reply, list) else []
