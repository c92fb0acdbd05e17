"""The group store in Redis (several hubs): see ``server.groups.store`` for the contract."""

from __future__ import annotations

from server.groups.store import Conflict, Gone, Versioned
from server.redis_keys import connect, rewrite_aof

PUT_LUA = """
if redis.call('EXISTS', KEYS[2]) == 1 then return {-1, ''} end
local version = tonumber(redis.call('HGET', KEYS[1], 'v:' .. ARGV[1]) or '0')
if version ~= tonumber(ARGV[2]) then
  return {version, redis.call('HGET', KEYS[1], 'd:' .. ARGV[1]) or ''}
end
redis.call('HSET', KEYS[1], 'v:' .. ARGV[1], version + 1, 'd:' .. ARGV[1], ARGV[3])
return {version + 1, 'ok'}
"""
"""KEYS: records hash, tombstone. ARGV: field, expected version, data.
Returns {new version, 'ok'}, {version in force, its data} or {-1, ''} when deleted."""

TOMBSTONE_TTL_S = 24 * 3600


def group_keys(prefix: str, group_id: str) -> tuple[str, str]:
    """The group's records hash and its tombstone; the group id is their hash tag."""
    base = f"{prefix}:{{g{group_id}}}:"
    return base + "records", base + "deleted"


class RedisGroupStore:
    """All records of a group in one hash, ``<prefix>:{g<id>}:records``: fields
    ``v:<kind>/<key>`` (version) and ``d:<kind>/<key>`` (data)."""

    def __init__(self, url: str, prefix: str = "ib") -> None:
        self.prefix = prefix
        self._redis = connect(url, retries=1)
        self._put = self._redis.register_script(PUT_LUA)

    async def get(self, group_id: str, kind: str, key: str = "") -> Versioned | None:
        records, _ = group_keys(self.prefix, group_id)
        field = f"{kind}/{key}"
        version, data = await self._redis.hmget(records, [f"v:{field}", f"d:{field}"])
        if version is None or not isinstance(data, bytes):
            return None
        return int(version), data

    async def list(self, group_id: str, kind: str) -> dict[str, Versioned]:
        records, _ = group_keys(self.prefix, group_id)
        everything = await self._redis.hgetall(records)
        found: dict[str, Versioned] = {}
        start = f"d:{kind}/".encode()
        for field, data in everything.items():
            if isinstance(field, bytes) and isinstance(data, bytes) and field.startswith(start):
                key = field[len(start):].decode()
                version = everything.get(b"v:" + field[2:]) or b"0"
                found[key] = (int(version), data)
        return found

    async def put(self, group_id: str, kind: str, key: str, data: bytes, expected: int) -> int:
        records, tombstone = group_keys(self.prefix, group_id)
        version, result = await self._put(
            keys=[records, tombstone], args=[f"{kind}/{key}", expected, data]
        )
        if int(version) < 0:
            raise Gone(group_id)
        if result != b"ok" or int(version) != expected + 1:
            raise Conflict(int(version), result if isinstance(result, bytes) else b"")
        return int(version)

    async def delete_group(self, group_id: str) -> None:
        records, tombstone = group_keys(self.prefix, group_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(records)
            pipe.set(tombstone, 1, ex=TOMBSTONE_TTL_S)
            await pipe.execute()
        await rewrite_aof(self._redis)

    async def close(self) -> None:
        await self._redis.aclose()
