"""Saved methods in Redis, for several hubs: every key under the configured prefix
and one hash tag (``ib:{methods}:...``), so the scripts may touch them together.

Keys: ``m:<id>`` a hash {data, version, owner}; ``owner:<kind>:<owner>`` and
``published`` sorted sets of ids scored by creation time.
"""

from __future__ import annotations

from server.redis_keys import connect, text
from server.store.methods import OwnerKind, SavedMethod, record_decoder, record_encoder

# KEYS: record, new owner index, published index, old owner index
# ARGV: id, expected version ("" to create), version, data, owner index key,
#       published (0/1), created_ms
WRITE_LUA = """
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[2] == '' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[3], 'data', ARGV[4], 'owner', ARGV[5])
if KEYS[4] ~= KEYS[2] then redis.call('ZREM', KEYS[4], ARGV[1]) end
redis.call('ZADD', KEYS[2], ARGV[7], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1
"""

# KEYS: record, published index; ARGV: id
DELETE_LUA = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner then redis.call('ZREM', owner, ARGV[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"""


class RedisMethodStore:
    def __init__(self, url: str, prefix: str = "ib") -> None:
        self._base = f"{prefix}:{{methods}}:"
        self._redis = connect(url, retries=1)
        self._write = self._redis.register_script(WRITE_LUA)
        self._delete = self._redis.register_script(DELETE_LUA)

    def _record_key(self, method_id: str) -> str:
        return f"{self._base}m:{method_id}"

    def _owner_key(self, owner_kind: OwnerKind, owner: str) -> str:
        return f"{self._base}owner:{owner_kind}:{owner}"

    @property
    def _published_key(self) -> str:
        return f"{self._base}published"

    async def _store(self, record: SavedMethod, expected: str) -> bool:
        key = self._record_key(record.id)
        old_owner = await self._redis.hget(key, "owner")
        owner_key = self._owner_key(record.owner_kind, record.owner)
        written = await self._write(
            keys=[key, owner_key, self._published_key,
                  old_owner.decode() if isinstance(old_owner, bytes) else owner_key],
            args=[record.id, expected, record.version, record_encoder.encode(record),
                  owner_key, int(record.published), record.created_ms],
        )
        return bool(written)

    async def create(self, record: SavedMethod) -> None:
        if not await self._store(record, ""):
            raise KeyError(f"method {record.id} exists")

    async def get(self, method_id: str) -> SavedMethod | None:
        data = await self._redis.hget(self._record_key(method_id), "data")
        return record_decoder.decode(data) if isinstance(data, bytes) else None

    async def replace(self, record: SavedMethod, expected_version: int) -> bool:
        return await self._store(record, str(expected_version))

    async def delete(self, method_id: str) -> None:
        await self._delete(keys=[self._record_key(method_id), self._published_key],
                           args=[method_id])

    async def _members(self, index: str) -> list[SavedMethod]:
        ids = await self._redis.zrange(index, 0, -1)
        if not ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for method_id in ids:
                pipe.hget(self._record_key(text(method_id)), "data")
            found = await pipe.execute()
        return [record_decoder.decode(data) for data in found if isinstance(data, bytes)]

    async def owned_by(self, owner_kind: OwnerKind, owner: str) -> list[SavedMethod]:
        return await self._members(self._owner_key(owner_kind, owner))

    async def published(self) -> list[SavedMethod]:
        return await self._members(self._published_key)

    async def close(self) -> None:
        await self._redis.aclose()
