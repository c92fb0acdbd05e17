"""One set of store test bodies, run against SQLite and against real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
import pytest
import redis

from server.backplane.base import Backplane
from server.core.records import Record
from server.core.state import decode_state
from server.store.base import Store
from server.store.redis import RedisStore
from shared_schema.client import SetReady
from tests.support.storage import Storage, session_meta


def with_store(storage: Storage, body: Callable[[Store], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        store = storage.store()
        try:
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())


def test_session_metadata_round_trips(storage: Storage) -> None:
    async def body(store: Store) -> None:
        meta, snapshot = session_meta("Eerste casus")
        await store.create_session(meta, snapshot)
        assert await store.get_session(meta.id) == meta
        closed = msgspec.structs.replace(meta, closed_ms=123)
        await store.update_session(closed)
        assert await store.get_session(meta.id) == closed
        assert await store.get_session("0" * 32) is None
        loaded = await store.load_snapshot(meta.id)
        assert loaded is not None and loaded[0] == 0
        assert decode_state(loaded[1]).title == "Eerste casus"

    with_store(storage, body)


def with_log(storage: Storage,
             body: Callable[[Store, Backplane], Coroutine[Any, Any, None]]) -> None:
    """The store with the backplane over it: the backplane owns the op log."""
    async def main() -> None:
        async with storage.open() as (store, backplane):
            await body(store, backplane)

    asyncio.run(main())


def record(n: int) -> Record:
    return Record(client_id="c-test-0001", op_key=f"k{n}", op=SetReady(client_seq=n,
                                                                       ready=True))


async def publish(backplane: Backplane, room: str, count: int) -> None:
    for n in range(count):
        await backplane.publish(room, record(n + 1))


def test_log_appends_and_reads_in_order(storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        assert await backplane.last_seq(meta.id) == 0
        await publish(backplane, meta.id, 6)
        assert [i.seq for i in await backplane.read(meta.id, 0)] == [1, 2, 3, 4, 5, 6]
        assert [i.seq for i in await backplane.read(meta.id, 4)] == [5, 6]
        assert await backplane.read(meta.id, 6) == []
        assert await backplane.last_seq(meta.id) == 6
        assert (await backplane.read(meta.id, 2))[0].record == record(3)

    with_log(storage, body)


def test_log_is_trimmed_only_below_a_durable_snapshot(storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        await publish(backplane, meta.id, 10)
        await backplane.trim(meta.id, 8)  # the only snapshot is at 0: nothing goes
        assert len(await backplane.read(meta.id, 0)) == 10
        await store.save_snapshot(meta.id, 5, b"snapshot at 5")
        await backplane.trim(meta.id, 8)  # only what the snapshot at 5 covers goes
        assert [i.seq for i in await backplane.read(meta.id, 0)] == [6, 7, 8, 9, 10]
        assert await backplane.last_seq(meta.id) == 10

    with_log(storage, body)


def test_an_older_snapshot_never_replaces_a_newer_one(storage: Storage) -> None:
    async def body(store: Store) -> None:
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        await store.save_snapshot(meta.id, 7, b"seven")
        await store.save_snapshot(meta.id, 3, b"three")
        assert await store.load_snapshot(meta.id) == (7, b"seven")

    with_store(storage, body)


def test_delete_removes_everything(storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        meta, snapshot = session_meta()
        other, other_snapshot = session_meta("Andere")
        await store.create_session(meta, snapshot)
        await store.create_session(other, other_snapshot)
        await publish(backplane, meta.id, 2)
        await publish(backplane, other.id, 1)
        await store.delete_session(meta.id)
        assert await store.get_session(meta.id) is None
        assert await store.load_snapshot(meta.id) is None
        assert await backplane.read(meta.id, 0) == []
        assert await store.get_session(other.id) == other
        assert len(await backplane.read(other.id, 0)) == 1

    with_log(storage, body)


@pytest.fixture
def redis_storage(redis_url: str, redis_prefix: str, tmp_path: Any) -> Storage:
    return Storage("redis", tmp_path, redis_url, redis_prefix)


@pytest.mark.redis
def test_redis_snapshot_lock_keeps_a_second_writer_out(redis_storage: Storage) -> None:
    async def body(store: Store) -> None:
        assert isinstance(store, RedisStore)
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        lock = store.keys(meta.id).lock
        with redis.Redis.from_url(redis_storage.redis_url) as other_hub:
            other_hub.set(lock, "other-hub-token", px=10_000)
            await store.save_snapshot(meta.id, 4, b"while locked")
            assert await store.load_snapshot(meta.id) == (0, snapshot)
            assert other_hub.get(lock) == b"other-hub-token", "someone else's lock stays"
            other_hub.delete(lock)
            await store.save_snapshot(meta.id, 4, b"after the lock")
            assert await store.load_snapshot(meta.id) == (4, b"after the lock")
            assert other_hub.get(lock) is None, "our own lock is released"

    with_store(redis_storage, body)


@pytest.mark.redis
def test_redis_restore_seeds_a_lost_session_once(redis_storage: Storage) -> None:
    async def body(store: Store, backplane: Backplane) -> None:
        assert isinstance(store, RedisStore)
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        await publish(backplane, meta.id, 2)
        with redis.Redis.from_url(redis_storage.redis_url) as admin:
            admin.delete(*(k for k in store.keys(meta.id)))  # what FLUSHALL does to it
        assert await store.get_session(meta.id) is None
        first = msgspec.structs.replace(meta, epoch="epoch-first")
        second = msgspec.structs.replace(meta, epoch="epoch-second")
        assert await store.restore(first, 2, b"replica at 2") == "epoch-first"
        assert await store.restore(second, 1, b"older replica") == "epoch-first"
        assert await store.get_session(meta.id) == first
        assert await store.load_snapshot(meta.id) == (2, b"replica at 2")
        assert await backplane.last_seq(meta.id) == 2
        assert await backplane.read(meta.id, 0) == []

    with_log(redis_storage, body)


@pytest.mark.redis
def test_redis_never_restores_a_deleted_session(redis_storage: Storage) -> None:
    async def body(store: Store) -> None:
        assert isinstance(store, RedisStore)
        meta, snapshot = session_meta()
        await store.create_session(meta, snapshot)
        await store.delete_session(meta.id)
        replica = msgspec.structs.replace(meta, epoch="epoch-of-a-replica")
        assert await store.restore(replica, 3, b"a hub's replica") == ""
        assert await store.get_session(meta.id) is None
        assert await store.load_snapshot(meta.id) is None

    with_store(redis_storage, body)
