"""The attendance record in Redis, for several hubs: keys of its own under the
prefix (``{prefix}:att:{<session>}:...``), never the content's keys, so deleting a
session's content leaves them alone.

A session's keys share one hash tag, so each script touches one Cluster slot. Every
member write runs in one script that first checks that the session is held and the
member did not delete their record (see ``store.py``)."""

from __future__ import annotations

import secrets
from typing import NamedTuple

import msgspec

from server.attendance.record import Confirmation, Interval, MemberFacts, SessionFacts
from server.attendance.sqlite import HUBS_KEPT_MS
from server.redis_keys import connect, rewrite_aof, text

CREATE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

AGREEMENT_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'started_ms') == 1 then return 0 end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], 'agreement', ARGV[2])
else redis.call('HDEL', KEYS[1], 'agreement') end
return 1
"""

STARTED_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'started_ms')
if (not current) or tonumber(ARGV[1]) < tonumber(current) then
  redis.call('HSET', KEYS[1], 'started_ms', ARGV[1])
end
return 1
"""

SET_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

MEMBER_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return 0
end
local action = ARGV[2]
if (action == 'confirm' or action == 'key') and redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 0 then
  return 0
end
redis.call('SADD', KEYS[3], ARGV[1])
if action == 'open' then
  redis.call('HSET', KEYS[4], 'name', ARGV[3])
  redis.call('SADD', KEYS[5], ARGV[4])
  redis.call('HSETNX', KEYS[6], ARGV[5], ARGV[6])
elseif action == 'role' then
  redis.call('SADD', KEYS[5], ARGV[3])
elseif action == 'accept' then
  redis.call('HSET', KEYS[4], 'agreement_ms', ARGV[3], 'agreement_text', ARGV[4])
elseif action == 'confirm' then
  redis.call('HSET', KEYS[4], 'confirmation', ARGV[3])
elseif action == 'key' then
  local before = redis.call('HGET', KEYS[4], 'member_key')
  redis.call('HSET', KEYS[4], 'member_key', ARGV[3])
  if before and before ~= ARGV[3] then return before end
end
return 1
"""
"""KEYS: session, forgotten, members, member, roles, connections. ARGV: pid, action, ..."""

CLOSE_CONN_LUA = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""

FORGET_LUA = """
local key = redis.call('HGET', KEYS[4], 'member_key')
redis.call('DEL', KEYS[4], KEYS[5], KEYS[6])
redis.call('SREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SADD', KEYS[2], ARGV[1]) end
local gone = {}
local codes = redis.call('HGETALL', KEYS[7])
for i = 1, #codes, 2 do
  if codes[i + 1] == ARGV[1] then
    redis.call('HDEL', KEYS[7], codes[i])
    table.insert(gone, codes[i])
  end
end
return {key or '', gone}
"""
"""KEYS: session, forgotten, members, member, roles, connections, codes. ARGV: pid.
Answers the member's key hash ('' if none) and their codes."""

CODE_LUA = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""

_pack = msgspec.msgpack.Encoder()
_interval = msgspec.msgpack.Decoder(Interval)
_confirmation = msgspec.msgpack.Decoder(Confirmation)

INT_FIELDS = ("created_ms", "started_ms", "ended_ms", "approved_ms")


class Keys(NamedTuple):
    session: str
    forgotten: str
    members: str
    codes: str
    base: str

    def member(self, pid: str) -> tuple[str, str, str]:
        """The member's hash, roles set and connections hash."""
        return (f"{self.base}m:{pid}", f"{self.base}r:{pid}", f"{self.base}c:{pid}")


class RedisAttendance:
    def __init__(self, url: str, prefix: str = "ib") -> None:
        self.prefix = prefix
        self._redis = connect(url, retries=1)
        self._create = self._redis.register_script(CREATE_LUA)
        self._agreement = self._redis.register_script(AGREEMENT_LUA)
        self._started = self._redis.register_script(STARTED_LUA)
        self._set = self._redis.register_script(SET_LUA)
        self._member = self._redis.register_script(MEMBER_LUA)
        self._close_conn = self._redis.register_script(CLOSE_CONN_LUA)
        self._forget = self._redis.register_script(FORGET_LUA)
        self._code = self._redis.register_script(CODE_LUA)

    def keys(self, session_id: str) -> Keys:
        base = f"{self.prefix}:att:{{{session_id}}}:"
        return Keys(base + "s", base + "forgotten", base + "members", base + "codes", base)

    @property
    def expiry_key(self) -> str:
        """Sorted set: session id scored by its end (or creation) time, for retention."""
        return f"{self.prefix}:att:expiry"

    @property
    def codes_key(self) -> str:
        """Hash: verification code -> ``<session>/<participant>``."""
        return f"{self.prefix}:att:codes"

    @property
    def secret_key(self) -> str:
        return f"{self.prefix}:att:secret"

    # -- sessions --------------------------------------------------------------------

    async def create_session(self, facts: SessionFacts) -> None:
        fields: list[str | int] = []
        for name in SessionFacts.__struct_fields__:
            value = getattr(facts, name)
            if value is not None and name != "session_id":
                fields += [name, value]
        if await self._create(keys=[self.keys(facts.session_id).session], args=fields):
            await self._redis.zadd(self.expiry_key, {facts.session_id: facts.created_ms})

    async def set_agreement(self, session_id: str, text_: str | None) -> bool:
        args = ["1", text_] if text_ is not None else ["0", ""]
        return bool(await self._agreement(keys=[self.keys(session_id).session], args=args))

    async def mark_started(self, session_id: str, at_ms: int) -> None:
        await self._started(keys=[self.keys(session_id).session], args=[at_ms])

    async def mark_ended(self, session_id: str, at_ms: int) -> None:
        if await self._set(keys=[self.keys(session_id).session], args=["ended_ms", at_ms]):
            await self._redis.zadd(self.expiry_key, {session_id: at_ms})

    async def approve(self, session_id: str, participant_id: str, at_ms: int) -> None:
        await self._set(keys=[self.keys(session_id).session],
                        args=["approved_ms", at_ms, "approved_by", participant_id])

    # -- members ---------------------------------------------------------------------

    def member_key_index(self, member_key: str) -> str:
        """Set: ``<session>/<participant>`` of every record linked to a member key hash
        (outside the sessions' hash tags, written after the record, like the codes)."""
        return f"{self.prefix}:att:mk:{member_key}"

    async def _member_write(self, session_id: str, pid: str, action: str,
                            *args: str | int | bytes) -> object:
        keys = self.keys(session_id)
        return await self._member(
            keys=[keys.session, keys.forgotten, keys.members, *keys.member(pid)],
            args=[pid, action, *args],
        )

    async def connection_opened(self, session_id: str, participant_id: str, conn_id: str,
                                name: str, role: str, start_ms: int, hub: str = "") -> None:
        await self._member_write(session_id, participant_id, "open", name, role, conn_id,
                                 _pack.encode(Interval(start_ms, None, hub)))

    @property
    def hubs_key(self) -> str:
        """Sorted set: hub id scored by its last heartbeat (ms)."""
        return f"{self.prefix}:att:hubs"

    async def hub_seen(self, hub: str, at_ms: int) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self.hubs_key, {hub: at_ms})
            pipe.zremrangebyscore(self.hubs_key, "-inf", f"({at_ms - HUBS_KEPT_MS}")
            await pipe.execute()

    async def hubs_seen(self) -> dict[str, int]:
        pairs = await self._redis.zrange(self.hubs_key, 0, -1, withscores=True)
        return {text(pair[0]): int(pair[1]) for pair in pairs}

    async def connection_closed(self, session_id: str, participant_id: str, conn_id: str,
                                start_ms: int, end_ms: int, hub: str = "") -> None:
        connections = self.keys(session_id).member(participant_id)[2]
        await self._close_conn(keys=[connections],
                               args=[conn_id, _pack.encode(Interval(start_ms, end_ms, hub))])

    async def add_role(self, session_id: str, participant_id: str, role: str) -> None:
        await self._member_write(session_id, participant_id, "role", role)

    async def accept_agreement(self, session_id: str, participant_id: str, text_: str,
                               at_ms: int) -> None:
        await self._member_write(session_id, participant_id, "accept", at_ms, text_)

    async def confirm(self, session_id: str, participant_id: str,
                      confirmation: Confirmation) -> None:
        await self._member_write(session_id, participant_id, "confirm",
                                 _pack.encode(confirmation))

    async def attach_member_key(self, session_id: str, participant_id: str,
                                member_key: str) -> None:
        written = await self._member_write(session_id, participant_id, "key", member_key)
        if not written:
            return
        if isinstance(written, bytes | str):  # the member was linked to another key
            await self._redis.srem(self.member_key_index(text(written)),
                                   f"{session_id}/{participant_id}")
        await self._redis.sadd(self.member_key_index(member_key),
                               f"{session_id}/{participant_id}")

    async def records_of_member(self, member_key: str) -> list[tuple[str, str]]:
        """The index, checked against the records (an entry a deletion raced with is
        dropped here)."""
        index = self.member_key_index(member_key)
        entries = sorted(text(e) for e in await self._redis.smembers(index))
        pairs = [(e.split("/", 1)[0], e.split("/", 1)[1]) for e in entries if "/" in e]
        async with self._redis.pipeline(transaction=False) as pipe:
            for sid, pid in pairs:
                pipe.hget(self.keys(sid).member(pid)[0], "member_key")
            linked = await pipe.execute()
        found: list[tuple[str, str]] = []
        for (sid, pid), key in zip(pairs, linked, strict=True):
            if text(key) == member_key:
                found.append((sid, pid))
            else:
                await self._redis.srem(index, f"{sid}/{pid}")
        return found

    async def load(self, session_id: str) -> tuple[SessionFacts, list[MemberFacts]] | None:
        keys = self.keys(session_id)
        raw = await self._redis.hgetall(keys.session)
        if not raw:
            return None
        values: dict[str, object] = {"session_id": session_id}
        for key, value in raw.items():
            name = text(key)
            values[name] = int(value) if name in INT_FIELDS else text(value)
        facts = msgspec.convert(values, SessionFacts)
        pids = sorted(text(p) for p in await self._redis.smembers(keys.members))
        async with self._redis.pipeline(transaction=False) as pipe:
            for pid in pids:
                member, roles, connections = keys.member(pid)
                pipe.hgetall(member)
                pipe.smembers(roles)
                pipe.hgetall(connections)
            replies = await pipe.execute()
        members = []
        for index, pid in enumerate(pids):
            fields, roles, connections = replies[3 * index : 3 * index + 3]
            fields = {text(k): v for k, v in fields.items()}
            intervals = sorted((_interval.decode(v) for v in connections.values()),
                               key=lambda c: c.start_ms)
            members.append(MemberFacts(
                participant_id=pid,
                name=text(fields.get("name")),
                roles=sorted(text(r) for r in roles),
                connections=intervals,
                agreement_ms=int(fields["agreement_ms"]) if "agreement_ms" in fields else None,
                agreement_text=(text(fields["agreement_text"]) if "agreement_text" in fields
                                else None),
                confirmation=(_confirmation.decode(fields["confirmation"])
                              if "confirmation" in fields else None),
                member_key=text(fields["member_key"]) if "member_key" in fields else None,
            ))
        return facts, members

    # -- deletion --------------------------------------------------------------------

    async def delete_member(self, session_id: str, participant_id: str) -> None:
        keys = self.keys(session_id)
        member_key, gone = await self._forget(
            keys=[keys.session, keys.forgotten, keys.members, *keys.member(participant_id),
                  keys.codes],
            args=[participant_id],
        )
        if gone:
            await self._redis.hdel(self.codes_key, *gone)
        if text(member_key):
            await self._redis.srem(self.member_key_index(text(member_key)),
                                   f"{session_id}/{participant_id}")
        await self._rewrite_aof()

    async def delete_session(self, session_id: str) -> None:
        keys = self.keys(session_id)
        pids = [text(p) for p in await self._redis.smembers(keys.members)]
        codes = list(await self._redis.hkeys(keys.codes))
        member_keys = [await self._redis.hget(keys.member(pid)[0], "member_key")
                       for pid in pids]
        # the session's keys share one slot; the indexes live elsewhere on a Redis
        # Cluster, so they are cleaned after (a leftover entry points at nothing)
        await self._redis.delete(keys.session, keys.forgotten, keys.members, keys.codes,
                                 *(key for pid in pids for key in keys.member(pid)))
        await self._redis.zrem(self.expiry_key, session_id)
        if codes:
            await self._redis.hdel(self.codes_key, *codes)
        for pid, member_key in zip(pids, member_keys, strict=True):
            if member_key is not None:
                await self._redis.srem(self.member_key_index(text(member_key)),
                                       f"{session_id}/{pid}")
        await self._rewrite_aof()

    async def _rewrite_aof(self) -> None:
        """The deleted names leave the append-only file(s) too."""
        await rewrite_aof(self._redis)

    async def expired(self, cutoff_ms: int) -> list[str]:
        due = await self._redis.zrangebyscore(self.expiry_key, "-inf", f"({cutoff_ms}")
        return [text(session_id) for session_id in due]

    # -- codes -----------------------------------------------------------------------

    async def secret(self) -> bytes:
        await self._redis.set(self.secret_key, secrets.token_bytes(32), nx=True)
        value = await self._redis.get(self.secret_key)
        if not isinstance(value, bytes):
            raise RuntimeError("the attendance key vanished from Redis")
        return value

    async def register_code(self, code: str, session_id: str, participant_id: str) -> None:
        keys = self.keys(session_id)
        if await self._code(keys=[keys.session, keys.codes], args=[code, participant_id]):
            await self._redis.hset(self.codes_key, code, f"{session_id}/{participant_id}")

    async def lookup_code(self, code: str) -> tuple[str, str] | None:
        value = text(await self._redis.hget(self.codes_key, code))
        if "/" not in value:
            return None
        session_id, pid = value.split("/", 1)
        return session_id, pid

    async def close(self) -> None:
        await self._redis.aclose()
