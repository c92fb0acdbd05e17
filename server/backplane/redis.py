"""The Redis backplane: several hub processes share each room's seq and log.

Per op one Lua script runs atomically in Redis: check the room's epoch, ``INCR``
the seq, ``XADD`` the record to the room's stream (trimmed only below the floor a
durable snapshot set) and ``PUBLISH`` it, seq included, on the room's channel.

Invariants:
- ops reach the local subscribers of a room in seq order without gaps: pub/sub is
  at-most-once, so a seq that skips ahead is held back until the missing ops were
  read from the stream (``XRANGE``); after the subscription connection drops, every
  room is re-read from the last seq delivered;
- a room is subscribed only while a local room object listens to it, and the
  subscription is confirmed before ``subscribe`` returns (so loading after it
  misses nothing);
- all publishing goes through one connection: what is waiting is sent as one
  pipeline per round trip, and each record is encoded once;
- an op is never sequenced under an epoch other than the one the hub loaded: if
  Redis lost the room, ``publish`` raises ``EpochChanged`` and the ``watch``
  handler is told, as it is when the watchdog finds the epoch changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import defaultdict
from typing import Any

from redis.asyncio.connection import Connection
from redis.exceptions import NoScriptError, RedisError

from server.backplane.base import OnEphemeral, OnLost, OnSequenced
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
"""Back-off between attempts to re-open the subscription (the last one repeats)."""

SUBSCRIBE_TIMEOUT_S = 10.0
FILL_ATTEMPTS = 5
"""Reads of the stream for one gap before the room is reloaded instead."""
CLOSE_TIMEOUT_S = 2.0

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
redis.call('PUBLISH', ARGV[3], payload)
return {seq, ''}
"""
"""KEYS: seq, epoch, log, floor. ARGV: expected epoch, msgpack Record, channel.
The payload is the msgpack of ``Sequenced(seq, record)`` (a 2-array)."""


class EpochChanged(RuntimeError):
    """Redis no longer holds the room under the epoch this hub loaded."""


class _Outgoing:
    __slots__ = ("args", "future", "room")

    def __init__(self, room: str, args: tuple[Any, ...], future: asyncio.Future[int]) -> None:
        self.room = room
        self.args = args
        self.future = future


class RedisBackplane:
    def __init__(self, url: str, prefix: str = "ib") -> None:
        self.prefix = prefix
        self._cmd = connect(url, retries=1)
        self._pub = connect(url)
        self._subs: dict[str, dict[OnSequenced, OnEphemeral]] = defaultdict(dict)
        self._epochs: dict[str, str] = {}
        self._last: dict[str, int] = {}
        self._early: dict[str, dict[int, Sequenced]] = defaultdict(dict)
        self._filling: set[str] = set()
        self._confirm: dict[str, asyncio.Future[None]] = {}
        self._outbox: list[_Outgoing] = []
        self._wake = asyncio.Event()
        self._sha = ""
        self._sub_conn: Connection | None = None
        self._on_lost: OnLost = lambda room: None
        self._closing = False
        self._reread_due: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()
        self.reconnects = 0
        self.gaps_filled = 0
        self.listening = asyncio.Event()
        """Set while the subscription connection is up."""

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            self._sha = await self._cmd.script_load(PUBLISH_LUA)
        self._tasks = [
            asyncio.create_task(self._drain_loop(), name="redis-backplane-publish"),
            asyncio.create_task(self._listen_loop(), name="redis-backplane-listen"),
            asyncio.create_task(self._watch_loop(), name="redis-backplane-watch"),
        ]

    async def close(self) -> None:
        # redis-py may turn a cancellation inside a read into a ConnectionError; the
        # loops therefore also stop on ``_closing``, and closing waits a bounded time
        self._closing = True
        tasks = [*self._tasks, *self._spawned]
        for task in tasks:
            task.cancel()
        self._wake.set()
        if tasks:
            await asyncio.wait(tasks, timeout=CLOSE_TIMEOUT_S)
        self._tasks = []
        if self._sub_conn is not None:
            await self._sub_conn.disconnect()
        await self._cmd.aclose()
        await self._pub.aclose()

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
        if self._sub_conn is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._sub_conn.send_command("SUBSCRIBE", channel)
        try:
            # if the connection is down, the listener subscribes every room once it is back
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_S)
            keys = self.keys(room)
            epoch, seq = await self._cmd.mget([keys.epoch, keys.seq])
        except BaseException:
            await self.unsubscribe(room, on_op)
            raise
        self._epochs[room] = text(epoch)
        self._last[room] = int(seq or 0)

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
        if self._sub_conn is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._sub_conn.send_command("UNSUBSCRIBE", channel)

    async def _listen_loop(self) -> None:
        attempt = 0
        ever_connected = False
        while not self._closing:
            conn: Connection = self._cmd.connection_pool.make_connection()  # type: ignore[no-untyped-call]
            try:
                await conn.connect()  # type: ignore[no-untyped-call]
                self._sub_conn = conn
                rooms = list(self._subs)
                if rooms:
                    await conn.send_command("SUBSCRIBE", *(self.keys(r).channel for r in rooms))
                else:
                    # a subscription connection needs a channel to wait on
                    await conn.send_command("SUBSCRIBE", f"{self.prefix}:hub")
                if ever_connected:
                    self.reconnects += 1
                    log.warning("pub/sub connection back; re-reading %d rooms", len(rooms))
                    # each room is re-read once Redis confirmed its subscription, so no
                    # op falls between the read and the subscription
                    self._reread_due = set(rooms)
                ever_connected = True
                attempt = 0
                self.listening.set()
                while True:
                    self._dispatch(await conn.read_response(timeout=math.inf, push_request=True))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                if self._closing:
                    return
                log.warning("pub/sub connection lost: %s", exc)
            finally:
                self.listening.clear()
                self._sub_conn = None
                with contextlib.suppress(Exception):
                    await conn.disconnect()
            await asyncio.sleep(RECONNECT_DELAYS_S[min(attempt, len(RECONNECT_DELAYS_S) - 1)])
            attempt += 1

    def _dispatch(self, message: Any) -> None:
        if not isinstance(message, list) or len(message) < 3:
            return
        kind, channel_raw, data = message[0], message[1], message[2]
        channel = channel_raw.decode()
        if kind == b"subscribe":
            confirmed = self._confirm.get(channel)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
            if self._reread_due and channel.endswith(":channel"):
                room = room_of_channel(self.prefix, channel)
                if room in self._reread_due:
                    self._reread_due.discard(room)
                    # always a read of its own: one already running may have read
                    # before this subscription took effect
                    self._spawn(self._reread(room))
            return
        if kind != b"message" or not channel.endswith(":channel"):
            return
        room = room_of_channel(self.prefix, channel)
        subs = self._subs.get(room)
        if subs is None:
            return
        if data[:1] == EPHEMERAL:
            payload = data[1:]
            for on_ephemeral in list(subs.values()):
                on_ephemeral(payload)
            return
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
        while not self._closing:
            await asyncio.sleep(WATCH_INTERVAL_S)
            rooms = [room for room in self._epochs if room not in self._filling]
            if not rooms:
                continue
            try:
                # one GET per room, pipelined: the rooms' keys may live in different
                # cluster slots, so no MGET across rooms
                pipe = self._cmd.pipeline(transaction=False)
                for room in rooms:
                    pipe.get(self.keys(room).epoch)
                found = await pipe.execute()
            except (RedisError, OSError):
                continue  # Redis is away; publishing answers ``unavailable`` meanwhile
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
        return await self._enqueue(room, (
            "EVALSHA", 4, keys.seq, keys.epoch, keys.log, keys.floor,
            epoch, encode_record(record), keys.channel,
        ))

    async def publish_ephemeral(self, room: str, data: bytes) -> None:
        await self._enqueue(room, ("PUBLISH", self.keys(room).channel, EPHEMERAL + data))

    async def _enqueue(self, room: str, args: tuple[Any, ...]) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._outbox.append(_Outgoing(room, args, future))
        self._wake.set()
        return await future

    async def _drain_loop(self) -> None:
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            batch, self._outbox = self._outbox, []
            if batch:
                await self._send(batch)

    async def _send(self, batch: list[_Outgoing]) -> None:
        """One pipeline for everything waiting; NOSCRIPT (after a Redis restart) loads
        the script and sends those again: a NOSCRIPT call did not run."""
        for _ in range(2):
            try:
                results = await self._pipeline(batch)
            except (RedisError, OSError) as exc:
                self._fail(batch, exc)
                return
            again = []
            for out, result in zip(batch, results, strict=True):
                if isinstance(result, NoScriptError):
                    again.append(out)
                else:
                    self._settle(out, result)
            if not again:
                return
            self._sha = ""
            batch = again
        self._fail(batch, RuntimeError("script could not be loaded"))

    async def _pipeline(self, batch: list[_Outgoing]) -> list[Any]:
        if not self._sha:
            self._sha = await self._pub.script_load(PUBLISH_LUA)
        pipe = self._pub.pipeline(transaction=False)
        for out in batch:
            if out.args[0] == "EVALSHA":
                pipe.execute_command("EVALSHA", self._sha, *out.args[1:])
            else:
                pipe.execute_command(*out.args)
        results: list[Any] = await pipe.execute(raise_on_error=False)
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
            out.future.set_result(int(result[0]))

    # -- reading -----------------------------------------------------------------------

    async def read(self, room: str, after_seq: int) -> list[Sequenced]:
        key = self.keys(room).log
        items: list[Sequenced] = []
        start = f"{after_seq + 1}-0"
        while True:
            page = entries(await self._cmd.xrange(key, min=start, max="+", count=READ_PAGE))
            items.extend(decode_sequenced(fields[b"d"]) for _, fields in page)
            if len(page) < READ_PAGE:
                return items
            start = f"{items[-1].seq + 1}-0"

    async def epoch(self, room: str) -> str:
        return text(await self._cmd.get(self.keys(room).epoch))

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._spawned.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._spawned.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("backplane task failed: %s", exc)
