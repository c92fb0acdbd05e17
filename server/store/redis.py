"""Redis store, for several hubs: session metadata, snapshots and the op log.

The op log is the room's stream that the Redis backplane appends to; this store
reads it, snapshots the board and trims the stream. Durability is Redis's: run it
with ``appendonly yes`` (``appendfsync everysec`` keeps every acknowledged write
through a process kill; only a machine crash may lose the last second).

Invariants:
- the log is trimmed only below a snapshot that Redis already holds, and the floor
  the backplane trims to when appending is set by the same script;
- two hubs never write the same room's snapshot at once (a lock: ``SET NX PX`` with
  a random token, released only by the token's owner), and a snapshot never
  replaces one of a higher seq;
- ``restore`` seeds a room that Redis lost (FLUSHALL, a lost disk) from a hub's
  replica under a new epoch, once: a second hub finds the epoch already there; a
  deleted session (tombstone) is never restored.
"""

from __future__ import annotations

import secrets

import msgspec
from redis.exceptions import ResponseError

from server.redis_keys import RoomKeys, connect, on_node_of, rewrite_aof, room_keys, text
from server.store.base import SessionMeta

LOCK_TTL_MS = 10_000
"""A snapshot lock expires by itself if its hub dies while writing."""
TOMBSTONE_TTL_S = 24 * 3600

SAVE_SNAPSHOT_LUA = """
local current = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
if tonumber(ARGV[1]) < current then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'data', ARGV[2])
return 1
"""

RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

RESTORE_LUA = """
if redis.call('EXISTS', KEYS[7]) == 1 then return '' end
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[6])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[8], ARGV[2])
redis.call('SET', KEYS[5], ARGV[3])
redis.call('HSET', KEYS[6], 'seq', ARGV[2], 'data', ARGV[4])
return ARGV[1]
"""
"""KEYS: epoch, seq, log, floor, meta, snapshot, deleted, confirmed. ARGV: epoch, seq,
meta, snapshot.
Returns the epoch in force, or "" for a deleted session."""

CLOSE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seq = tonumber(ARGV[1])
redis.call('SET', KEYS[1], ARGV[3])
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '-1')
if seq >= current then redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'data', ARGV[2]) end
local floor = tonumber(redis.call('GET', KEYS[4]) or '0')
if seq + 1 > floor then redis.call('SET', KEYS[4], seq + 1) end
redis.call('XTRIM', KEYS[3], 'MINID', (seq + 1) .. '-0')
return 1
"""
"""KEYS: meta, snapshot, log, floor. ARGV: seq, snapshot, meta with the close time.
The final snapshot, the close time and the trimmed log in one atomic step; nothing
for a session that was deleted meanwhile."""

AOF_WAIT_MS = 2_000
"""How long a close waits for Redis to fsync its append-only file."""

_meta_encoder = msgspec.msgpack.Encoder()
_meta_decoder = msgspec.msgpack.Decoder(SessionMeta)


class RedisStore:
    def __init__(self, url: str, prefix: str = "ib") -> None:
        self.prefix = prefix
        self._redis = connect(url, retries=1)
        self._save = self._redis.register_script(SAVE_SNAPSHOT_LUA)
        self._release = self._redis.register_script(RELEASE_LUA)
        self._restore = self._redis.register_script(RESTORE_LUA)
        self._close = self._redis.register_script(CLOSE_LUA)

    def keys(self, session_id: str) -> RoomKeys:
        return room_keys(self.prefix, session_id)

    async def create_session(self, meta: SessionMeta, snapshot: bytes) -> None:
        keys = self.keys(meta.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.meta, _meta_encoder.encode(meta))
            pipe.hset(keys.snapshot, mapping={"seq": 0, "data": snapshot})
            pipe.set(keys.epoch, meta.epoch)
            pipe.set(keys.seq, 0)
            pipe.set(keys.confirmed, 0)
            await pipe.execute()

    async def get_session(self, session_id: str) -> SessionMeta | None:
        data = await self._redis.get(self.keys(session_id).meta)
        return None if not isinstance(data, bytes) else _meta_decoder.decode(data)

    async def update_session(self, meta: SessionMeta) -> None:
        await self._redis.set(self.keys(meta.id).meta, _meta_encoder.encode(meta))

    async def save_snapshot(self, session_id: str, seq: int, data: bytes) -> None:
        """Write unless another hub holds the lock (its snapshot will do)."""
        keys = self.keys(session_id)
        token = secrets.token_hex(16)
        if not await self._redis.set(keys.lock, token, nx=True, px=LOCK_TTL_MS):
            return
        try:
            await self._save(keys=[keys.snapshot], args=[seq, data])
        finally:
            await self._release(keys=[keys.lock], args=[token])

    async def load_snapshot(self, session_id: str) -> tuple[int, bytes] | None:
        seq, data = await self._redis.hmget(self.keys(session_id).snapshot, ["seq", "data"])
        return None if seq is None or not isinstance(data, bytes) else (int(seq), data)

    async def restore(self, meta: SessionMeta, seq: int, snapshot: bytes) -> str:
        keys = self.keys(meta.id)
        epoch = await self._restore(
            keys=[keys.epoch, keys.seq, keys.log, keys.floor, keys.meta, keys.snapshot,
                  keys.deleted, keys.confirmed],
            args=[meta.epoch, seq, _meta_encoder.encode(meta), snapshot],
        )
        return text(epoch)

    @property
    def closed_key(self) -> str:
        """Sorted set of closed sessions scored by their close time (ms), for the
        retention sweep; holds ids only."""
        return f"{self.prefix}:closed"

    async def close_session(
        self, session_id: str, seq: int, snapshot: bytes, closed_ms: int
    ) -> None:
        """Final snapshot + close time in one script, then wait until Redis has
        fsynced its append-only file (WAITAOF, Redis 7.2 or newer, when it keeps one)."""
        meta = await self.get_session(session_id)
        if meta is None:
            return
        if meta.closed_ms is None:
            meta.closed_ms = closed_ms
        keys = self.keys(session_id)
        done = await self._close(
            keys=[keys.meta, keys.snapshot, keys.log, keys.floor],
            args=[seq, snapshot, _meta_encoder.encode(meta)],
        )
        if not done:
            return
        await self._redis.zadd(self.closed_key, {session_id: meta.closed_ms})
        try:
            await self._redis.execute_command("WAITAOF", 1, 0, AOF_WAIT_MS,
                                              **on_node_of(self._redis, keys.meta))
        except ResponseError as exc:
            # without an append-only file there is nothing to wait for; a Redis
            # before 7.2 has no WAITAOF: its appendfsync policy applies
            if "appendonly" not in str(exc) and "unknown command" not in str(exc):
                raise

    async def closed_before(self, cutoff_ms: int) -> list[str]:
        due = await self._redis.zrangebyscore(self.closed_key, "-inf", f"({cutoff_ms}")
        return [text(session_id) for session_id in due]

    async def delete_session(self, session_id: str) -> None:
        """Everything of the session goes; a tombstone stays for a day so that no hub
        that still holds the board restores it (hubs notice within a second)."""
        keys = self.keys(session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*(key for key in keys if key not in (keys.channel, keys.deleted)))
            pipe.set(keys.deleted, 1, ex=TOMBSTONE_TTL_S)
            await pipe.execute()
        await self._redis.zrem(self.closed_key, session_id)
        await rewrite_aof(self._redis)

    async def close(self) -> None:
        await self._redis.aclose()
