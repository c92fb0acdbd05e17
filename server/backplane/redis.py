"""The Redis backplane: several hub processes share each room's seq and log, over one
Redis or a Redis Cluster.

Per op one Lua script runs atomically in Redis: check the room's epoch, ``INCR``
the seq, ``XADD`` the record to the room's stream (trimmed only below the floor a
durable snapshot set) and publish it, seq included, on the room's channel
(``PUBLISH``; on a cluster ``SPUBLISH``, sharded pub/sub: the channel carries the
room's hash tag, so it hashes to the slot of the room's keys and only the master of
that slot and its replicas carry it).

Invariants:
- ops reach the local subscribers of a room in seq order without gaps: pub/sub is
  at-most-once, so a seq that skips ahead is held back until the missing ops were
  read from the stream (``XRANGE``); after a subscription connection drops, or a
  cluster node answers that it no longer serves a room's slot (MOVED on
  ``SSUBSCRIBE``, an unasked ``sunsubscribe`` after a failover or a slot move), the
  slot map is re-learnt, each affected room is subscribed where its slot lives now
  and re-read from the last seq delivered once that subscription is confirmed;
- an op is published only while a hub other than its sender is registered for the
  room (``hubs``, refreshed every watch interval, lapsing after ``HUB_TTL_MS``): with
  session affinity a room's ops never make the trip back to the one hub that holds
  it. The sender then delivers its own op from the script's answer. A hub registers
  before it subscribes and reads, so every op sequenced after its registration is
  published to it and every one before is in the log it reads;
- a hub subscribes a room only while a local room object listens to it (one
  pub/sub connection per Redis node that serves such a room), and the
  subscription is confirmed before ``subscribe`` returns (so loading after it
  misses nothing): a hub receives nothing of the sessions it holds no member of;
- all publishing goes through one pipeline per node and round trip: what is
  waiting is grouped by the node of its slot and sent at once (one pipeline in
  flight per node; nodes do not wait for each other), each record encoded once;
- where the room's master has a replica (a cluster with replicas), an op is
  acknowledged only after ``WAIT 1`` confirms that a replica holds it, so a
  failover that promotes the replica keeps every acknowledged op; an op the replica
  did not confirm in time is answered as failed (its client resends it; its
  idempotency key makes that safe);
- an op is never sequenced under an epoch other than the one the hub loaded: if
  Redis lost the room, ``publish`` raises ``EpochChanged`` and the ``watch``
  handler is told, as it is when the watchdog finds the epoch changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import secrets
import zlib
from collections import defaultdict
from typing import Any

from redis.asyncio.connection import Connection
from redis.exceptions import NoScriptError, RedisError, ResponseError

from server.backplane.base import OnEphemeral, OnLost, OnSequenced
from server.backplane.shards import Shards
from server.core.records import Record, Sequenced, decode_sequenced, encode_record
from server.redis_keys import RoomKeys, connect, entries, room_keys, room_of_channel, text

log = logging.getLogger("intervisiebord.backplane")

EPHEMERAL = b"E"
"""First byte of an ephemeral payload; a sequenced one starts with msgpack's 0x92."""

READ_PAGE = 1000
"""Stream entries per XRANGE call."""

WATCH_INTERVAL_S = 1.0
"""How often the epochs of the subscribed rooms are compared with Redis."""

RECONNECT_DELAYS_S = (0.0, 0.05, 0.1, 0.2, 0.5)
"""Back-off between attempts to re-open a subscription (the last one repeats)."""

TOPOLOGY_TICKS = 5
"""On a cluster, the slot map is re-learnt every this many watch intervals."""

REGISTER_TICKS = 10
"""A hub renews its registration for each of its rooms every this many watch
intervals (10 s, well inside ``HUB_TTL_MS``)."""

SUBSCRIBE_TIMEOUT_S = 10.0
FILL_ATTEMPTS = 5
"""Reads of the stream for one gap before the room is reloaded instead."""
CLOSE_TIMEOUT_S = 2.0
REDIRECTS = 5
"""MOVED answers an op may get (each re-learns the slot map) before it fails."""

HUB_TTL_MS = 60_000
"""How long a hub's registration for a room lasts unless renewed (every watch
interval): a hub that died stops costing publishes after this long."""

REPLICA_WAIT_MS = 1000
"""Default for how long an op waits for a replica's acknowledgement (``WAIT``)."""

OTHER_HUBS_LUA = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local others = redis.call('ZCOUNT', KEYS[#KEYS], now, '+inf')
local mine = redis.call('ZSCORE', KEYS[#KEYS], ARGV[#ARGV])
if mine and tonumber(mine) >= now then others = others - 1 end
"""
"""Sets ``others``: the hubs registered in the ``hubs`` set (the script's last key)
whose registration has not lapsed on Redis's clock, the sender (its last argument)
not counted."""

PUBLISH_LUA = """
local current = redis.call('GET', KEYS[2])
if current ~= ARGV[1] then
  return {0, current or ''}
end
local seq = redis.call('INCR', KEYS[1])
local payload = '\\146' .. cmsgpack.pack(seq) .. ARGV[2]
local floor = tonumber(redis.call('GET', KEYS[4]) or '0')
if floor > 1 then
  redis.call('XADD', KEYS[3], 'MINID', '~', floor .. '-0', seq .. '-0', 'd', payload)
else
  redis.call('XADD', KEYS[3], seq .. '-0', 'd', payload)
end
if ARGV[5] == 'later' then
  return {seq, payload}
end
redis.call('SET', KEYS[5], seq)
""" + OTHER_HUBS_LUA + """if others > 0 then
  redis.call(ARGV[4], ARGV[3], payload)
  return {seq, '', 1}
end
return {seq, '', 0}
"""
"""KEYS: seq, epoch, log, floor, confirmed, hubs. ARGV: expected epoch, msgpack Record,
channel, PUBLISH or SPUBLISH, 'now' or 'later', the sending hub's id. The payload is
the msgpack of ``Sequenced(seq, record)`` (a 2-array). 'now' confirms the op at once
and publishes it if another hub is registered (third answer: 1 if published);
'later' returns the payload for ``CONFIRM_LUA`` once a replica holds the op."""

CONFIRM_LUA = """
if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[1])
end
""" + OTHER_HUBS_LUA + """if others > 0 then
  redis.call(ARGV[3], ARGV[2], ARGV[4])
  return 1
end
return 0
"""
"""KEYS: confirmed, hubs. ARGV: seq, channel, PUBLISH or SPUBLISH, payload, the sending
hub's id. 1 if published, 0 if no other hub is registered."""

REGISTER_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[2] == '0' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""
"""KEYS: hubs. ARGV: hub id, milliseconds the registration lasts (0: withdraw it).
Redis's own clock, the one the publishing scripts read."""

READ_LUA = """
local upto = redis.call('GET', KEYS[2])
local last = upto and (upto .. '-0') or '+'
return redis.call('XRANGE', KEYS[1], ARGV[1], last, 'COUNT', ARGV[2])
"""
"""KEYS: log, confirmed. ARGV: first entry id, count. The log up to the confirmed
seq (all of it for a room written before the watermark existed)."""

TRIM_LUA = """
local snapshot = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local upto = math.min(tonumber(ARGV[1]), snapshot)
if upto < 1 then return 0 end
local floor = tonumber(redis.call('GET', KEYS[2]) or '0')
if upto + 1 > floor then redis.call('SET', KEYS[2], upto + 1) end
return redis.call('XTRIM', KEYS[3], 'MINID', (upto + 1) .. '-0')
"""
"""KEYS: snapshot, floor, log. ARGV: trim entries with seq <= this."""


SCRIPTS = {name: (lua, hashlib.sha1(lua.encode(), usedforsecurity=False).hexdigest())
           for name, lua in (("publish", PUBLISH_LUA), ("confirm", CONFIRM_LUA),
                             ("read", READ_LUA), ("trim", TRIM_LUA),
                             ("register", REGISTER_LUA))}
"""Redis names a script by its SHA-1."""
PUBLISH_SHA = SCRIPTS["publish"][1]
CONFIRM_SHA = SCRIPTS["confirm"][1]

SINGLE = {"subscribe": "SUBSCRIBE", "unsubscribe": "UNSUBSCRIBE", "publish": "PUBLISH"}
SHARDED = {"subscribe": "SSUBSCRIBE", "unsubscribe": "SUNSUBSCRIBE", "publish": "SPUBLISH"}
CONFIRMED = (b"subscribe", b"ssubscribe")
DROPPED = (b"unsubscribe", b"sunsubscribe")
MESSAGE = (b"message", b"smessage")


def payload(fields: list[bytes]) -> bytes:
    """Field ``d`` of a stream entry returned by a script (a flat field list)."""
    return fields[fields.index(b"d") + 1]


class EpochChanged(RuntimeError):
    """Redis no longer holds the room under the epoch this hub loaded."""


class NotReplicated(RuntimeError):
    """No replica confirmed the op in time: a failover might lose it, so it is not
    acknowledged (it is in the log; the client's resend is recognised)."""


class _Outgoing:
    __slots__ = ("args", "future", "key", "record", "redirects", "room")

    def __init__(self, room: str, key: str, args: tuple[Any, ...],
                 future: asyncio.Future[int], record: Record | None = None) -> None:
        self.room = room
        self.record = record
        """The op being sequenced (None for an ephemeral message): delivered here from
        the answer when no other hub is registered and it is not published."""
        self.key = key
        """A key of the room: names the node the op goes to."""
        self.args = args
        self.future = future
        self.redirects = 0


class _Listener:
    """One pub/sub connection: to the single Redis, or to the cluster master serving
    the slots of ``rooms``."""

    __slots__ = ("conn", "node", "rooms", "task")

    def __init__(self, node: str) -> None:
        self.node = node
        self.rooms: set[str] = set()
        self.conn: Connection | None = None
        self.task: asyncio.Task[None] | None = None


class RedisBackplane:
    def __init__(self, url: str, prefix: str = "ib",
                 replica_wait_ms: int = REPLICA_WAIT_MS) -> None:
        self.prefix = prefix
        self.replica_wait_ms = replica_wait_ms
        """0: never wait for a replica (then a failover may lose the last ops)."""
        self._cmd = connect(url, retries=1)
        self.hub_id = secrets.token_hex(8)
        """Names this hub in the rooms' ``hubs`` sets (new at every start)."""
        self._shards = Shards(url, self._cmd)
        self._verbs = SHARDED if self._shards.cluster else SINGLE
        self._subs: dict[str, dict[OnSequenced, OnEphemeral]] = defaultdict(dict)
        self._epochs: dict[str, str] = {}
        self._last: dict[str, int] = {}
        self._early: dict[str, dict[int, Sequenced]] = defaultdict(dict)
        self._filling: set[str] = set()
        self._confirm: dict[str, asyncio.Future[None]] = {}
        self._outbox: list[_Outgoing] = []
        self._queues: dict[str, list[_Outgoing]] = defaultdict(list)
        self._busy: set[str] = set()
        """Nodes with a pipeline in flight."""
        self._wires: dict[str, Connection] = {}
        """Per node the one connection its publishing pipelines go over (never two at
        once: one pipeline in flight per node), outside the client's pool."""
        self._wake = asyncio.Event()
        self._listeners: dict[str, _Listener] = {}
        self._home: dict[str, str] = {}
        """Room -> node whose listener holds its subscription."""
        self._homeless: set[str] = set()
        self._rehome_wake = asyncio.Event()
        self._rehome_attempt = 0
        self._on_lost: OnLost = lambda room: None
        self._closing = False
        self._reread_due: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()
        self.reconnects = 0
        self.gaps_filled = 0
        self.not_replicated = 0
        self.replica_waits = 0
        """Pipelines that ended with ``WAIT`` (a replica was there to wait for)."""
        self.published_alone = 0
        """Ops sequenced but not published: no other hub was registered for the room."""
        self.messages = 0
        """Pub/sub messages received (ops and ephemeral)."""
        self.messages_ops = 0
        """Of those, sequenced ops."""
        self.messages_unheard = 0
        """Of those, messages of a room no local room object listens to (only just
        after an unsubscription)."""
        self.listening = asyncio.Event()
        """Set while every subscribed room has a connected subscription."""

    @property
    def sharded(self) -> bool:
        """Whether this runs on a Redis Cluster (sharded pub/sub)."""
        return self._shards.cluster

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._shards.start()
        self._tasks = [
            asyncio.create_task(self._drain_loop(), name="redis-backplane-publish"),
            asyncio.create_task(self._rehome_loop(), name="redis-backplane-rehome"),
            asyncio.create_task(self._watch_loop(), name="redis-backplane-watch"),
        ]
        if not self.sharded:
            # the one Redis: its listener is up from the start
            self._listener("")

    async def close(self) -> None:
        # redis-py may turn a cancellation inside a read into a ConnectionError; the
        # loops therefore also stop on ``_closing``, and closing waits a bounded time
        self._closing = True
        listeners = list(self._listeners.values())
        tasks = [*self._tasks, *self._spawned,
                 *(lst.task for lst in listeners if lst.task is not None)]
        for task in tasks:
            task.cancel()
        self._wake.set()
        self._rehome_wake.set()
        if tasks:
            await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT_S)
        self._tasks = []
        for wire in self._wires.values():
            with contextlib.suppress(RedisError, OSError):
                await wire.disconnect()
        self._wires.clear()
        try:
            for listener in listeners:
                if listener.conn is not None:
                    with contextlib.suppress(Exception):
                        await listener.conn.disconnect()
            await self._shards.aclose()
        finally:
            await self._cmd.aclose()

    def watch(self, on_lost: OnLost) -> None:
        """Call ``on_lost(room)`` when Redis no longer has the room's epoch."""
        self._on_lost = on_lost

    def keys(self, room: str) -> RoomKeys:
        return room_keys(self.prefix, room)

    # -- subscriptions -----------------------------------------------------------------

    async def subscribe(self, room: str, on_op: OnSequenced, on_ephemeral: OnEphemeral) -> None:
        first = room not in self._subs
        self._subs[room][on_op] = on_ephemeral
        if not first:
            return
        channel = self.keys(room).channel
        confirmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirm[channel] = confirmed
        try:
            # registered first: every op sequenced from now on is published, and what
            # came before is in the log the room reads once the subscription holds
            await self._register(room, HUB_TTL_MS)
            await self._place(room)
            # if the connection is down, its listener subscribes every room once it is back
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_S)
            keys = self.keys(room)
            epoch, upto, seq = await self._cmd.mget([keys.epoch, keys.confirmed, keys.seq])
        except BaseException:
            await self.unsubscribe(room, on_op)
            raise
        self._epochs[room] = text(epoch)
        # an op sequenced but not yet confirmed is published when it is: wait for it
        self._last[room] = int(upto if upto is not None else seq or 0)

    async def unsubscribe(self, room: str, on_op: OnSequenced) -> None:
        subs = self._subs.get(room)
        if subs is None:
            return
        subs.pop(on_op, None)
        if subs:
            return
        del self._subs[room]
        for table in (self._epochs, self._last, self._early):
            table.pop(room, None)
        channel = self.keys(room).channel
        self._confirm.pop(channel, None)
        self._homeless.discard(room)
        with contextlib.suppress(RedisError, OSError):
            await self._register(room, 0)
        listener = self._listeners.get(self._home.pop(room, "-"))
        if listener is not None:
            listener.rooms.discard(room)
            if listener.conn is not None:
                with contextlib.suppress(RedisError, OSError):
                    await listener.conn.send_command(self._verbs["unsubscribe"], channel)

    def _listener(self, node: str) -> _Listener:
        listener = self._listeners.get(node)
        if listener is None:
            listener = self._listeners[node] = _Listener(node)
            listener.task = asyncio.get_running_loop().create_task(
                self._listen(listener), name=f"redis-backplane-listen {node}")
        return listener

    async def _place(self, room: str) -> None:
        """Subscribe ``room`` on the listener of the node serving its slot now."""
        channel = self.keys(room).channel
        try:
            node = self._shards.node_of(channel)
        except (RedisError, OSError) as exc:  # the slot map is not known (yet)
            log.warning("room %s: no node for its slot: %s", room[:8], exc)
            self._displace([room])
            return
        listener = self._listener(node)
        listener.rooms.add(room)
        self._home[room] = node
        if listener.conn is not None:
            with contextlib.suppress(RedisError, OSError):
                await listener.conn.send_command(self._verbs["subscribe"], channel)

    def _displace(self, rooms: Any) -> None:
        """These rooms lost their subscription: subscribe them anew where their slot
        lives now, and re-read each once confirmed."""
        for room in rooms:
            if room in self._subs:
                self._home.pop(room, None)
                self._homeless.add(room)
        if self._homeless:
            self.listening.clear()
            self._rehome_wake.set()

    async def _rehome_loop(self) -> None:
        while not self._closing:
            await self._rehome_wake.wait()
            self._rehome_wake.clear()
            if self._closing:
                return
            rooms = {r for r in self._homeless if r in self._subs and r not in self._home}
            self._homeless.clear()
            if not rooms:
                continue
            delay = RECONNECT_DELAYS_S[min(self._rehome_attempt, len(RECONNECT_DELAYS_S) - 1)]
            self._rehome_attempt += 1
            await asyncio.sleep(delay)
            try:
                await self._shards.refresh()
            except (RedisError, OSError) as exc:
                log.warning("slot map not refreshed: %s", exc)
                self._displace(rooms)
                continue
            self.reconnects += 1
            log.warning("pub/sub connection back; re-reading %d rooms", len(rooms))
            # each room is re-read once Redis confirmed its new subscription, so no op
            # falls between the read and the subscription
            self._reread_due |= rooms
            for room in rooms:
                await self._place(room)

    async def _listen(self, listener: _Listener) -> None:
        conn: Connection = self._shards.plain(listener.node).connection_pool.make_connection()  # type: ignore[no-untyped-call]
        try:
            await conn.connect()  # type: ignore[no-untyped-call]
            listener.conn = conn
            await self._subscribe_all(conn, listener.rooms)
            self._update_listening()
            while True:
                try:
                    message = await conn.read_response(timeout=math.inf, push_request=True)
                except ResponseError as exc:  # a MOVED answer to a subscription
                    self._moved(listener, exc)
                    continue
                self._dispatch(listener, message)
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            if self._closing:
                return
            log.warning("pub/sub connection lost (%s): %s", listener.node or "redis", exc)
        except Exception:
            if self._closing:
                return
            log.exception("pub/sub connection failed (%s)", listener.node or "redis")
        finally:
            listener.conn = None
            if self._listeners.get(listener.node) is listener:
                del self._listeners[listener.node]
            with contextlib.suppress(Exception):
                await conn.disconnect()
        self.listening.clear()
        if not self._closing:
            if not self.sharded and not listener.rooms:
                self._displace(())
                self._rehome_attempt += 1
                await asyncio.sleep(RECONNECT_DELAYS_S[
                    min(self._rehome_attempt, len(RECONNECT_DELAYS_S) - 1)])
                if not self._closing and "" not in self._listeners:
                    self._listener("")
                return
            self._displace(list(listener.rooms))

    async def _subscribe_all(self, conn: Connection, rooms: set[str]) -> None:
        channels = [self.keys(room).channel for room in rooms]
        if not channels:
            return
        if not self.sharded:
            await conn.send_command(self._verbs["subscribe"], *channels)
            return
        # one SSUBSCRIBE per channel: a command's channels must share one slot
        await conn.send_packed_command(conn.pack_commands(
            [(self._verbs["subscribe"], channel) for channel in channels]))

    def _moved(self, listener: _Listener, exc: ResponseError) -> None:
        """``MOVED <slot> <node>``: the rooms of that slot live elsewhere now."""
        words = str(exc).split()
        if not words or words[0] != "MOVED" or len(words) < 2:
            log.warning("pub/sub error (%s): %s", listener.node, exc)
            return
        slot = int(words[1])
        moved = [r for r in listener.rooms
                 if self._shards.slot_of(self.keys(r).channel) == slot]
        listener.rooms.difference_update(moved)
        self._displace(moved)

    def _update_listening(self) -> None:
        if not self._homeless and all(lst.conn is not None for lst in self._listeners.values()):
            self.listening.set()

    def _dispatch(self, listener: _Listener, message: Any) -> None:
        if not isinstance(message, list) or len(message) < 3:
            return
        kind, channel_raw, data = message[0], message[1], message[2]
        channel = channel_raw.decode()
        if not channel.endswith(":channel"):
            return
        room = room_of_channel(self.prefix, channel)
        if kind in CONFIRMED:
            confirmed = self._confirm.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            if room in self._reread_due:
                self._reread_due.discard(room)
                self._rehome_attempt = 0
                # always a read of its own: one already running may have read
                # before this subscription took effect
                self._spawn(self._reread(room))
            self._update_listening()
            return
        if kind in DROPPED:
            # unasked: the node no longer serves the slot (failover, slot moved)
            if room in listener.rooms and self._home.get(room) == listener.node:
                listener.rooms.discard(room)
                self._displace([room])
            return
        if kind not in MESSAGE:
            return
        self.messages += 1
        subs = self._subs.get(room)
        if subs is None:
            self.messages_unheard += 1
            return
        if data[:1] == EPHEMERAL:
            payload = data[1:]
            for on_ephemeral in list(subs.values()):
                on_ephemeral(payload)
            return
        self.messages_ops += 1
        self._offer(room, decode_sequenced(data))

    # -- ordered delivery --------------------------------------------------------------

    def _offer(self, room: str, item: Sequenced) -> None:
        """Deliver ``item`` if it is next; hold it and fill the gap if it is early."""
        last = self._last.get(room)
        if last is None or item.seq <= last:
            return
        if item.seq > last + 1:
            self._early[room][item.seq] = item
            self._fill(room)
            return
        self._deliver(room, item)
        early = self._early.get(room)
        while early and (nxt := early.pop(self._last[room] + 1, None)) is not None:
            self._deliver(room, nxt)

    def _deliver(self, room: str, item: Sequenced) -> None:
        self._last[room] = item.seq
        for on_op in list(self._subs.get(room, ())):
            on_op(item)

    def _fill(self, room: str) -> None:
        if room not in self._filling:
            self._filling.add(room)
            self._spawn(self._reread(room))

    async def _reread(self, room: str) -> None:
        """Read the room's stream after the last seq delivered (checking its epoch)
        until no op held back waits for a missing one."""
        self._filling.add(room)
        try:
            if await self._epoch_lost(room):
                return
            for _ in range(FILL_ATTEMPTS):
                missing = await self.read(room, self._last.get(room, 0))
                if missing:
                    self.gaps_filled += 1
                    log.info("room %s: %d ops read from the stream", room[:8], len(missing))
                for item in missing:
                    self._offer(room, item)
                early = self._early.get(room)
                if not early or room not in self._last:
                    return
                for seq in [s for s in early if s <= self._last[room]]:
                    del early[seq]
                if not early:
                    return
                if not missing and await self._trimmed(room):
                    break
            # the stream no longer holds the gap: the room must be loaded afresh
            log.warning("room %s: gap not in the stream; reloading", room[:8])
            self._early.pop(room, None)
            self._on_lost(room)
        finally:
            self._filling.discard(room)

    async def _trimmed(self, room: str) -> bool:
        """Whether the stream starts after the next seq this hub needs."""
        first = entries(await self._cmd.xrange(self.keys(room).log, count=1))
        next_seq = self._last.get(room, 0) + 1
        return not first or int(first[0][0].split(b"-")[0]) > next_seq

    async def _epoch_lost(self, room: str) -> bool:
        current = await self._cmd.get(self.keys(room).epoch)
        if room in self._epochs and text(current) != self._epochs[room]:
            self._on_lost(room)
            return True
        return False

    async def _watch_loop(self) -> None:
        ticks = 0
        while not self._closing:
            await asyncio.sleep(WATCH_INTERVAL_S)
            ticks += 1
            if self.sharded and ticks % TOPOLOGY_TICKS == 0:
                # learns of replicas attached or gone, which decide about WAIT
                with contextlib.suppress(RedisError, OSError):
                    await self._shards.refresh()
            subscribed = list(self._epochs)
            if not subscribed:
                continue
            rooms = [room for room in subscribed if room not in self._filling]
            # each tick renews the registrations of a tenth of the rooms (each room
            # every REGISTER_TICKS ticks), so no tick carries them all
            renew = [room for room in subscribed
                     if zlib.crc32(room.encode()) % REGISTER_TICKS == ticks % REGISTER_TICKS]
            if not rooms and not renew:
                continue
            try:
                pipe = self._cmd.pipeline(transaction=False)
                if self.sharded:
                    # the rooms' keys live in different cluster slots: one GET each
                    for room in rooms:
                        pipe.get(self.keys(room).epoch)
                elif rooms:
                    pipe.mget([self.keys(room).epoch for room in rooms])
                for room in renew:
                    pipe.execute_command("EVAL", REGISTER_LUA, 1, self.keys(room).hubs,
                                         self.hub_id, HUB_TTL_MS)
                answers = await pipe.execute()
            except (RedisError, OSError):
                continue  # Redis is away; publishing answers ``unavailable`` meanwhile
            found = answers[:len(rooms)] if self.sharded else answers[0] if rooms else []
            for room, epoch in zip(rooms, found, strict=True):
                expected = self._epochs.get(room)
                if expected is not None and text(epoch) != expected:
                    log.warning("room %s: epoch changed in Redis", room[:8])
                    self._on_lost(room)

    # -- publishing --------------------------------------------------------------------

    async def publish(self, room: str, record: Record) -> int:
        keys = self.keys(room)
        epoch = self._epochs.get(room)
        if epoch is None:
            epoch = text(await self._cmd.get(keys.epoch))
        return await self._enqueue(room, keys.seq, (
            "EVALSHA", PUBLISH_SHA, 6, keys.seq, keys.epoch, keys.log, keys.floor,
            keys.confirmed, keys.hubs, epoch, encode_record(record), keys.channel,
            self._verbs["publish"],
        ), record)

    async def publish_ephemeral(self, room: str, data: bytes) -> None:
        channel = self.keys(room).channel
        await self._enqueue(room, channel, (self._verbs["publish"], channel, EPHEMERAL + data))

    async def _enqueue(self, room: str, key: str, args: tuple[Any, ...],
                       record: Record | None = None) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._outbox.append(_Outgoing(room, key, args, future, record))
        self._wake.set()
        return await future

    async def _drain_loop(self) -> None:
        """What waits goes to its node's queue; a node without a pipeline in flight
        gets everything queued for it as one pipeline. Nodes do not wait for each
        other (a master waiting for its replica holds up only its own slots)."""
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            batch, self._outbox = self._outbox, []
            for out in batch:
                try:
                    self._queues[self._shards.node_of(out.key)].append(out)
                except (RedisError, OSError) as exc:
                    self._fail([out], exc)
                    self._spawn(self._shards.refresh())
            for node, queue in self._queues.items():
                if queue and node not in self._busy:
                    self._busy.add(node)
                    group = queue[:]
                    queue.clear()
                    self._spawn(self._flush(node, group))

    async def _flush(self, node: str, group: list[_Outgoing]) -> None:
        try:
            await self._send_node(node, group)
        except Exception as exc:
            self._fail(group, exc)
            raise
        finally:
            self._busy.discard(node)
            self._wake.set()

    async def _send_node(self, node: str, group: list[_Outgoing]) -> None:
        """NOSCRIPT (a restarted or newly promoted node) loads the scripts there and
        sends those again: a NOSCRIPT call did not run; so did a MOVED one, which goes
        again to the node the re-learnt slot map names. Where the master has a replica,
        the ops are confirmed and published only after ``WAIT`` saw a replica take
        them, in a second round trip."""
        wait = self.replica_wait_ms > 0 and self._shards.replicas_of(group[0].key) > 0
        for _ in range(2):
            try:
                results = await self._pipeline(node, group, "later" if wait else "now")
            except (RedisError, OSError) as exc:
                self._fail(group, exc)
                if self.sharded:
                    with contextlib.suppress(RedisError, OSError):
                        await self._shards.refresh()
                return
            replicated = not wait or (isinstance(results[-1], int) and results[-1] >= 1)
            again: list[_Outgoing] = []
            moved: list[_Outgoing] = []
            unconfirmed: list[tuple[_Outgoing, int, bytes]] = []
            for out, result in zip(group, results, strict=False):
                if isinstance(result, NoScriptError):
                    again.append(out)
                elif isinstance(result, ResponseError) and str(result).startswith(("MOVED", "ASK")):
                    moved.append(out)
                elif wait and self._sequenced(out, result):
                    if replicated:
                        unconfirmed.append((out, int(result[0]), result[1]))
                    else:
                        self.not_replicated += 1
                        self._fail([out], NotReplicated(out.room))
                        # the replica may be gone: the slot map says so once the
                        # cluster marked it failed
                        self._spawn(self._shards.refresh())
                else:
                    self._settle(out, result)
            if unconfirmed:
                await self._confirm_ops(node, unconfirmed)
            if moved:
                await self._redirect(moved)
            if not again:
                return
            await self._load_scripts(node)
            group = again
        self._fail(group, RuntimeError("script could not be loaded"))

    @staticmethod
    def _sequenced(out: _Outgoing, result: Any) -> bool:
        return (out.args[0] == "EVALSHA" and isinstance(result, list)
                and int(result[0]) > 0)

    async def _confirm_ops(self, node: str, ops: list[tuple[_Outgoing, int, bytes]]) -> None:
        """Raise each room's confirmed seq and publish the ops, in seq order; an op is
        answered only once that happened (else ``unavailable``: its client resends)."""
        for _ in range(2):
            pipe = self._shards.plain(node).pipeline(transaction=False)
            for out, seq, payload in ops:
                keys = self.keys(out.room)
                pipe.execute_command("EVALSHA", CONFIRM_SHA, 2, keys.confirmed, keys.hubs,
                                     seq, keys.channel, self._verbs["publish"], payload,
                                     self.hub_id)
            try:
                results = await pipe.execute(raise_on_error=False)
            except (RedisError, OSError) as exc:
                self._fail([out for out, _, _ in ops], exc)
                return
            again = []
            for (out, seq, payload), result in zip(ops, results, strict=True):
                if isinstance(result, NoScriptError):
                    again.append((out, seq, payload))
                elif isinstance(result, Exception):
                    self._fail([out], result)
                elif not out.future.done():
                    if int(result) == 0:
                        self._deliver_own(out, seq)
                    out.future.set_result(seq)
            if not again:
                return
            await self._load_scripts(node)
            ops = again
        self._fail([out for out, _, _ in ops], RuntimeError("script could not be loaded"))

    async def _load_scripts(self, node: str) -> None:
        with contextlib.suppress(RedisError, OSError):
            for lua, _ in SCRIPTS.values():
                await self._shards.plain(node).script_load(lua)

    async def _redirect(self, moved: list[_Outgoing]) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._shards.refresh()
        for out in moved:
            out.redirects += 1
            if out.redirects > REDIRECTS:
                self._fail([out], RuntimeError("slot keeps moving"))
            else:
                self._outbox.append(out)
        self._wake.set()

    async def _pipeline(self, node: str, group: list[_Outgoing], mode: str) -> list[Any]:
        """The group in one write on the node's publishing connection, the answers read
        in order (an error answer in its command's place); with ``mode`` 'later' a
        ``WAIT`` last, which counts the writes of that connection. A broken connection
        raises (the group fails, nothing is retried: its clients resend) and is opened
        again by the next pipeline."""
        commands: list[tuple[Any, ...]] = [
            (*out.args, mode, self.hub_id) if out.args[0] == "EVALSHA" else out.args
            for out in group]
        if mode == "later":
            commands.append(("WAIT", 1, self.replica_wait_ms))
            self.replica_waits += 1
        wire = self._wires.get(node)
        if wire is None:
            pool = self._shards.plain(node).connection_pool
            wire = self._wires[node] = pool.make_connection()  # type: ignore[no-untyped-call]
        results: list[Any] = []
        try:
            await wire.send_packed_command(wire.pack_commands(commands), check_health=False)
            for _ in commands:
                try:
                    results.append(await wire.read_response())
                except ResponseError as exc:
                    results.append(exc)
        except BaseException:
            await wire.disconnect()
            raise
        return results

    @staticmethod
    def _fail(batch: list[_Outgoing], exc: Exception) -> None:
        for out in batch:
            if not out.future.done():
                out.future.set_exception(exc)

    def _settle(self, out: _Outgoing, result: Any) -> None:
        if out.future.done():
            return
        if isinstance(result, Exception):
            out.future.set_exception(result)
        elif out.args[0] != "EVALSHA":
            out.future.set_result(0)
        elif int(result[0]) == 0:
            self._on_lost(out.room)
            out.future.set_exception(EpochChanged(out.room))
        else:
            if len(result) > 2 and int(result[2]) == 0:
                self._deliver_own(out, int(result[0]))
            out.future.set_result(int(result[0]))

    def _deliver_own(self, out: _Outgoing, seq: int) -> None:
        """An op this hub sequenced that was not published (no other hub registered):
        delivered to the local subscribers from here, in seq order."""
        self.published_alone += 1
        if out.record is not None:
            self._offer(out.room, Sequenced(seq, out.record))

    # -- reading -----------------------------------------------------------------------

    async def read(self, room: str, after_seq: int) -> list[Sequenced]:
        """The logged ops after ``after_seq`` up to the confirmed seq."""
        keys = self.keys(room)
        items: list[Sequenced] = []
        start = f"{after_seq + 1}-0"
        while True:
            page = await self._read_page(keys, start)
            items.extend(decode_sequenced(data) for data in page)
            if len(page) < READ_PAGE:
                return items
            start = f"{items[-1].seq + 1}-0"

    async def _read_page(self, keys: RoomKeys, start: str) -> list[bytes]:
        reply = await self._script("read", [keys.log, keys.confirmed], [start, READ_PAGE])
        return [payload(fields) for _, fields in reply]

    async def _register(self, room: str, ttl_ms: int) -> None:
        """Register this hub for ``room`` for ``ttl_ms`` (0: withdraw)."""
        await self._script("register", [self.keys(room).hubs], [self.hub_id, ttl_ms])

    async def _script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """Run one of ``SCRIPTS`` (loaded on first use, and again after a restart)."""
        lua, sha = SCRIPTS[name]
        try:
            return await self._cmd.execute_command("EVALSHA", sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self._cmd.execute_command("EVAL", lua, len(keys), *keys, *args)

    async def trim(self, room: str, upto_seq: int) -> None:
        """Trim the stream below ``upto_seq`` and below the snapshot Redis holds (the
        floor keeps the publish script from adding below it)."""
        keys = self.keys(room)
        await self._script("trim", [keys.snapshot, keys.floor, keys.log], [upto_seq])


    async def last_seq(self, room: str) -> int:
        """The confirmed seq (the last seq for a room from before the watermark)."""
        keys = self.keys(room)
        seq, last = await self._cmd.mget([keys.confirmed, keys.seq])
        if seq is None:
            seq = last
        if seq is None:
            seq = await self._cmd.hget(keys.snapshot, "seq")
        return int(seq or 0)

    async def epoch(self, room: str) -> str:
        return text(await self._cmd.get(self.keys(room).epoch))

    def counters(self) -> dict[str, int]:
        return {
            "pubsub_messages": self.messages, "pubsub_ops": self.messages_ops,
            "pubsub_messages_unheard": self.messages_unheard,
            "pubsub_connections": sum(lst.conn is not None for lst in self._listeners.values()),
            "resubscriptions": self.reconnects, "gaps_filled": self.gaps_filled,
            "replica_waits": self.replica_waits, "not_replicated": self.not_replicated,
            "published_alone": self.published_alone,
        }

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._spawned.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._spawned.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("backplane task failed: %s", exc)
