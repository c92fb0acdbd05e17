"""One set of backplane test bodies, run against the memory backplane (SQLite log)
and against real Redis; then what only several Redis hubs can show."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
import redis

from server.backplane.base import Backplane
from server.backplane.redis import NotReplicated, RedisBackplane
from server.core.records import Record, Sequenced
from server.store.base import Store
from shared_schema.client import SetReady
from tests.support.redis import own_redis
from tests.support.redis_cluster import own_redis_cluster
from tests.support.storage import Storage, session_meta

TIMEOUT_S = 10.0


def record(n: int, client: str = "c-test-0001") -> Record:
    return Record(client_id=client, op_key=f"{client}/{n}", ts_ms=n,
                  op=SetReady(client_seq=n, ready=True))


class Listener:
    """Collects what a backplane delivers for one room; wakes waiters."""

    def __init__(self) -> None:
        self.ops: list[Sequenced] = []
        self.ephemeral: list[bytes] = []
        self.changed = asyncio.Event()

    def on_op(self, item: Sequenced) -> None:
        self.ops.append(item)
        self.changed.set()

    def on_ephemeral(self, data: bytes) -> None:
        self.ephemeral.append(data)
        self.changed.set()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async def wait() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), TIMEOUT_S)

    def seqs(self) -> list[int]:
        return [item.seq for item in self.ops]


def with_backplane(storage: Storage,
                   body: Callable[[Store, Backplane], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        async with storage.open() as (store, backplane):
            await body(store, backplane)

    asyncio.run(main())


def test_ops_are_sequenced_delivered_in_order_and_logged(storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        listener = Listener()
        await backplane.subscribe(meta.id, listener.on_op, listener.on_ephemeral)
        seqs = await asyncio.gather(*(backplane.publish(meta.id, record(n))
                                      for n in range(1, 51)))
        assert sorted(seqs) == list(range(1, 51))
        await listener.until(lambda: len(listener.ops) == 50)
        assert listener.seqs() == list(range(1, 51))
        by_seq = {item.seq: item.record.ts_ms for item in listener.ops}
        assert all(by_seq[seq] == n for seq, n in zip(seqs, range(1, 51), strict=True))
        logged = await backplane.read(meta.id, 45)
        assert [item.seq for item in logged] == [46, 47, 48, 49, 50]
        assert logged == listener.ops[45:]
        assert await backplane.epoch(meta.id) == meta.epoch

    with_backplane(storage, body)


def test_rooms_are_separate_and_unsubscribe_stops_delivery(storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        rooms = [session_meta("A"), session_meta("B")]
        for meta, snapshot in rooms:
            await store.create_session(meta, snapshot)
        a, b = Listener(), Listener()
        await backplane.subscribe(rooms[0][0].id, a.on_op, a.on_ephemeral)
        await backplane.subscribe(rooms[1][0].id, b.on_op, b.on_ephemeral)
        await backplane.publish(rooms[0][0].id, record(1))
        await backplane.publish_ephemeral(rooms[0][0].id, b"presence of A")
        await backplane.publish(rooms[1][0].id, record(1, "c-test-0002"))
        await a.until(lambda: len(a.ops) == 1 and len(a.ephemeral) == 1)
        await b.until(lambda: len(b.ops) == 1)
        assert a.ephemeral == [b"presence of A"] and b.ephemeral == []
        assert a.ops[0].record.client_id == "c-test-0001"
        assert b.ops[0].record.client_id == "c-test-0002"
        assert a.seqs() == b.seqs() == [1], "each room has its own seq"

        await backplane.unsubscribe(rooms[1][0].id, b.on_op)
        await backplane.publish(rooms[1][0].id, record(2, "c-test-0002"))
        await backplane.publish(rooms[0][0].id, record(2))
        await a.until(lambda: len(a.ops) == 2)
        assert len(b.ops) == 1

    with_backplane(storage, body)


@pytest.mark.redis
def test_two_redis_hubs_see_one_order(redis_url: str, redis_prefix: str,
                                      tmp_path: Path) -> None:
    storage = Storage("redis", tmp_path, redis_url, redis_prefix)

    async def main() -> None:
        async with storage.open() as (store, hub1), storage.open() as (_, hub2):
            meta, snapshot = session_meta()
            await store.create_session(meta, snapshot)
            one, two = Listener(), Listener()
            await hub1.subscribe(meta.id, one.on_op, one.on_ephemeral)
            await hub2.subscribe(meta.id, two.on_op, two.on_ephemeral)
            await asyncio.gather(
                *(hub1.publish(meta.id, record(n, "c-hub-one-1")) for n in range(1, 101)),
                *(hub2.publish(meta.id, record(n, "c-hub-two-2")) for n in range(1, 101)),
                hub2.publish_ephemeral(meta.id, b"hello from two"),
            )
            await one.until(lambda: len(one.ops) == 200 and len(one.ephemeral) == 1)
            await two.until(lambda: len(two.ops) == 200 and len(two.ephemeral) == 1)
            assert one.ops == two.ops
            assert one.seqs() == list(range(1, 201))

    asyncio.run(main())


@pytest.mark.redis
def test_redis_publishes_an_op_only_while_another_hub_listens(
        redis_url: str, redis_prefix: str, tmp_path: Path) -> None:
    """With the room on one hub (session affinity) its ops do not come back through
    pub/sub; a second hub that subscribes gets every later op, the first hub's order
    stays whole, and once it leaves the first hub is alone again."""
    storage = Storage("redis", tmp_path, redis_url, redis_prefix)

    async def main() -> None:
        async with storage.open() as (store, hub1), storage.open() as (_, hub2):
            assert isinstance(hub1, RedisBackplane) and isinstance(hub2, RedisBackplane)
            meta, snapshot = session_meta()
            await store.create_session(meta, snapshot)
            one, two = Listener(), Listener()
            await hub1.subscribe(meta.id, one.on_op, one.on_ephemeral)
            for n in range(1, 11):
                await hub1.publish(meta.id, record(n))
            assert one.seqs() == list(range(1, 11))  # delivered from the answers
            assert hub1.published_alone == 10 and hub1.messages_ops == 0

            await hub2.subscribe(meta.id, two.on_op, two.on_ephemeral)
            await asyncio.gather(*(hub1.publish(meta.id, record(n)) for n in range(11, 21)),
                                 *(hub2.publish(meta.id, record(n, "c-hub-two-2"))
                                   for n in range(1, 11)))
            await one.until(lambda: len(one.ops) == 30)
            await two.until(lambda: len(two.ops) == 20)
            assert one.seqs() == list(range(1, 31))
            assert two.ops == one.ops[10:]
            assert hub1.published_alone == 10 and hub2.published_alone == 0

            await hub2.unsubscribe(meta.id, two.on_op)
            for n in range(21, 26):
                await hub1.publish(meta.id, record(n))
            assert one.seqs() == list(range(1, 36))
            assert hub1.published_alone == 15
            assert [item.seq for item in await hub1.read(meta.id, 0)] == list(range(1, 36))

    asyncio.run(main())


async def redis_ms(admin: redis.asyncio.Redis) -> int:
    """Redis's clock in milliseconds (the one registrations are scored with)."""
    seconds, micros = await admin.time()
    return int(seconds) * 1000 + int(micros) // 1000


async def until_redis(admin: redis.asyncio.Redis,
                      predicate: Callable[[], Coroutine[Any, Any, bool]]) -> None:
    """Wait until ``predicate`` (a question to Redis) holds, asking every 20 ms: what
    it waits for is Redis's clock and sorted set, which send no event."""
    async def wait() -> None:
        while not await predicate():  # noqa: ASYNC110 - nothing here to wait on
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), TIMEOUT_S)


@pytest.mark.redis
def test_redis_registrations_are_renewed_while_a_hub_lives_and_lapse_when_it_dies(
        redis_url: str, redis_prefix: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A live hub renews its registration before it lapses, so it keeps getting the
    room's ops past its first term; a hub that died without withdrawing stops
    costing publishes once its term is over, and the next renewal clears it out."""
    from server.backplane import redis as backplane_module

    monkeypatch.setattr(backplane_module, "HUB_TTL_MS", 1000)
    monkeypatch.setattr(backplane_module, "WATCH_INTERVAL_S", 0.03)  # renewal every 0.3 s
    storage = Storage("redis", tmp_path, redis_url, redis_prefix)

    async def main() -> None:
        async with (storage.open() as (store, hub1), storage.open() as (_, hub2),
                    redis.asyncio.Redis.from_url(redis_url) as admin):
            assert isinstance(hub1, RedisBackplane) and isinstance(hub2, RedisBackplane)
            meta, snapshot = session_meta()
            await store.create_session(meta, snapshot)
            hubs = hub1.keys(meta.id).hubs
            one, two = Listener(), Listener()
            await hub1.subscribe(meta.id, one.on_op, one.on_ephemeral)
            await hub2.subscribe(meta.id, two.on_op, two.on_ephemeral)
            first_term = await admin.zscore(hubs, hub2.hub_id)
            assert first_term is not None

            async def renewed_and_first_term_over() -> bool:
                term = await admin.zscore(hubs, hub2.hub_id)
                return (term is not None and term > first_term
                        and await redis_ms(admin) > first_term)

            await until_redis(admin, renewed_and_first_term_over)
            await hub1.publish(meta.id, record(1))
            await two.until(lambda: two.seqs() == [1])
            assert hub1.published_alone == 0

            # the second hub leaves (withdrawing); a third one's process was killed: its
            # registration stays until its term is over
            await hub2.unsubscribe(meta.id, two.on_op)
            dead = "0123456789abcdef"
            term_ms = await redis_ms(admin) + 300
            await admin.zadd(hubs, {dead: term_ms})
            await hub1.publish(meta.id, record(2))
            assert hub1.published_alone == 0  # published: the dead hub's term runs

            async def term_over() -> bool:
                return await redis_ms(admin) > term_ms

            await until_redis(admin, term_over)
            await hub1.publish(meta.id, record(3))
            assert hub1.published_alone == 1
            assert one.seqs() == [1, 2, 3]

            async def cleared() -> bool:
                return await admin.zscore(hubs, dead) is None

            await until_redis(admin, cleared)  # by the first hub's next renewal
            assert await admin.zscore(hubs, hub1.hub_id) is not None

    asyncio.run(main())


@pytest.mark.redis
def test_redis_watchdog_finds_a_changed_epoch_among_many_rooms(
        redis_url: str, redis_prefix: str, tmp_path: Path) -> None:
    """The watchdog reads every subscribed room's epoch at once each interval: the one
    room whose epoch changed is reported lost, the others are not."""
    storage = Storage("redis", tmp_path, redis_url, redis_prefix)

    async def main() -> None:
        async with storage.open() as (store, hub1):
            assert isinstance(hub1, RedisBackplane)
            lost: list[str] = []
            told = asyncio.Event()
            hub1.watch(lambda room: (lost.append(room), told.set()))
            rooms = []
            for _ in range(30):
                meta, snapshot = session_meta()
                await store.create_session(meta, snapshot)
                listener = Listener()
                await hub1.subscribe(meta.id, listener.on_op, listener.on_ephemeral)
                rooms.append(meta.id)
            async with redis.asyncio.Redis.from_url(redis_url) as admin:
                await admin.set(hub1.keys(rooms[17]).epoch, "another epoch")
            await asyncio.wait_for(told.wait(), TIMEOUT_S)
            assert lost == [rooms[17]]

    asyncio.run(main())


@pytest.mark.redis
def test_redis_fills_gaps_after_a_dropped_subscription(tmp_path: Path) -> None:
    """Our own redis-server: CLIENT KILL TYPE pubsub drops the subscription while ops
    keep being published; the backplane re-reads the stream and misses nothing."""
    with own_redis(tmp_path / "redis") as server:
        storage = Storage("redis", tmp_path, server.url, "ib")

        async def main() -> None:
            async with storage.open() as (store, hub1), storage.open() as (_, hub2):
                assert isinstance(hub1, RedisBackplane)
                meta, snapshot = session_meta()
                await store.create_session(meta, snapshot)
                listener = Listener()
                await hub1.subscribe(meta.id, listener.on_op, listener.on_ephemeral)
                async with redis.asyncio.Redis.from_url(server.url) as admin:
                    for start in range(1, 301, 50):
                        if start % 100 == 51:  # 51, 151, 251: cut, then a burst at once
                            await asyncio.wait_for(hub1.listening.wait(), TIMEOUT_S)
                            assert await admin.client_kill_filter(_type="pubsub") >= 1
                        await asyncio.gather(*(hub2.publish(meta.id, record(n))
                                               for n in range(start, start + 50)))
                await listener.until(lambda: len(listener.ops) == 300)
                assert listener.seqs() == list(range(1, 301))
                assert sorted(i.record.ts_ms for i in listener.ops) == list(range(1, 301))
                assert hub1.reconnects >= 1 and hub1.gaps_filled >= 1

        asyncio.run(main())


@pytest.mark.redis
def test_redis_reports_a_room_lost_when_the_stream_cannot_fill_a_gap(
        redis_url: str, redis_prefix: str, tmp_path: Path) -> None:
    """An op whose predecessors Redis no longer has (trimmed, or lost) must not be
    waited for forever: the hub is told to load the room afresh."""
    storage = Storage("redis", tmp_path, redis_url, redis_prefix)

    async def main() -> None:
        async with storage.open() as (store, hub1):
            assert isinstance(hub1, RedisBackplane)
            meta, snapshot = session_meta()
            await store.create_session(meta, snapshot)
            lost: list[str] = []
            told = asyncio.Event()
            hub1.watch(lambda room: (lost.append(room), told.set()))
            listener = Listener()
            await hub1.subscribe(meta.id, listener.on_op, listener.on_ephemeral)
            for n in range(1, 11):
                await hub1.publish(meta.id, record(n))
            await listener.until(lambda: len(listener.ops) == 10)
            await store.save_snapshot(meta.id, 10, b"snapshot at 10")
            await hub1.trim(meta.id, 10)
            # seq 12 arrives, 11 is nowhere: pub/sub lost it and the stream is trimmed
            hub1._offer(meta.id, Sequenced(12, record(12)))
            await asyncio.wait_for(told.wait(), TIMEOUT_S)
            assert lost == [meta.id]
            assert listener.seqs() == list(range(1, 11))

    asyncio.run(main())


@pytest.mark.redis
def test_cluster_op_is_acknowledged_only_once_a_replica_holds_it(tmp_path: Path) -> None:
    """Our own Redis Cluster: an op is answered after WAIT saw the replica take it.
    With the replica killed no op is answered as done (``NotReplicated``) until the
    cluster marks it failed; then the slot map has no replica and ops go through."""
    with own_redis_cluster(tmp_path / "cluster") as servers:
        storage = Storage("redis", tmp_path, servers.url, "ib")

        async def main() -> None:
            async with storage.open() as (store, hub):
                assert isinstance(hub, RedisBackplane)
                hub.replica_wait_ms = 200
                meta, snapshot = session_meta()
                await store.create_session(meta, snapshot)
                listener = Listener()
                await hub.subscribe(meta.id, listener.on_op, listener.on_ephemeral)
                assert [await hub.publish(meta.id, record(n)) for n in (1, 2)] == [1, 2]
                master = servers.master_of(hub.keys(meta.id).seq)
                await asyncio.to_thread(servers.replica_of(master).kill9)
                refused = 0
                for n in range(3, 200):
                    try:
                        await hub.publish(meta.id, record(n))
                    except NotReplicated:
                        refused += 1
                        continue
                    break
                assert refused >= 1 and hub.not_replicated == refused
                # the refused ops are in the log and were shown to nobody until an op
                # after them was confirmed; then every hub delivers them in order
                await listener.until(lambda: len(listener.ops) == refused + 3)
                assert listener.seqs() == list(range(1, refused + 4))
                assert [item.seq for item in await hub.read(meta.id, 0)] == listener.seqs()

        asyncio.run(main())
