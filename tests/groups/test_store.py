"""One set of group-store test bodies, run against SQLite and against real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from server.groups.redis_store import RedisGroupStore
from server.groups.store import Conflict, Gone, GroupStore, SqliteGroupStore
from server.tokens import new_id
from tests.support.storage import Storage


def group_store(storage: Storage) -> GroupStore:
    if storage.kind == "redis":
        return RedisGroupStore(storage.redis_url, storage.redis_prefix)
    return SqliteGroupStore(storage.tmp_path / "groups.sqlite3")


def with_store(storage: Storage, body: Callable[[GroupStore], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        store = group_store(storage)
        try:
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())


def test_versioned_records_round_trip(storage: Storage) -> None:
    async def body(store: GroupStore) -> None:
        gid = new_id()
        assert await store.get(gid, "plan") is None
        assert await store.put(gid, "plan", "", b"v1", 0) == 1
        assert await store.put(gid, "plan", "", b"v2", 1) == 2
        assert await store.get(gid, "plan") == (2, b"v2")
        await store.put(gid, "questions", "m1", b"q1", 0)
        await store.put(gid, "questions", "m2", b"q2", 0)
        await store.put(gid, "questions", "m2", b"q2b", 1)
        assert await store.list(gid, "questions") == {"m1": (1, b"q1"), "m2": (2, b"q2b")}
        assert await store.list(gid, "outcome") == {}

    with_store(storage, body)


def test_a_stale_write_changes_nothing_and_names_the_record_in_force(storage: Storage) -> None:
    async def body(store: GroupStore) -> None:
        gid = new_id()
        await store.put(gid, "plan", "", b"first", 0)
        with pytest.raises(Conflict) as caught:
            await store.put(gid, "plan", "", b"stale", 0)
        assert (caught.value.version, caught.value.data) == (1, b"first")
        with pytest.raises(Conflict) as missing:
            await store.put(gid, "outcome", "e1", b"x", 3)
        assert (missing.value.version, missing.value.data) == (0, b"")
        assert await store.get(gid, "plan") == (1, b"first")

    with_store(storage, body)


def test_concurrent_writes_of_one_version_let_exactly_one_through(storage: Storage) -> None:
    async def body(store: GroupStore) -> None:
        gid = new_id()
        await store.put(gid, "plan", "", b"base", 0)
        results = await asyncio.gather(
            *(store.put(gid, "plan", "", f"w{n}".encode(), 1) for n in range(8)),
            return_exceptions=True)
        assert sum(r == 2 for r in results) == 1
        assert sum(isinstance(r, Conflict) for r in results) == 7

    with_store(storage, body)


def test_deleting_a_group_removes_it_and_refuses_late_writes(storage: Storage) -> None:
    async def body(store: GroupStore) -> None:
        doomed, kept = new_id(), new_id()
        for gid in (doomed, kept):
            await store.put(gid, "group", "", b"doc", 0)
            await store.put(gid, "questions", "m1", b"q", 0)
        await store.delete_group(doomed)
        assert await store.get(doomed, "group") is None
        assert await store.list(doomed, "questions") == {}
        with pytest.raises(Gone):
            await store.put(doomed, "plan", "", b"late", 0)
        assert await store.get(kept, "group") == (1, b"doc")

    with_store(storage, body)
