"""The store of saved methods: one set of test bodies for SQLite and real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec

from server.store.methods import MethodStore, SavedMethod
from tests.support.storage import Storage


def saved(method_id: str, owner: str = "a" * 64, created_ms: int = 1,
          **changes: Any) -> SavedMethod:
    record = SavedMethod(id=method_id, owner_kind="browser", owner=owner,
                         toml=f'id = "{method_id}"\n', created_ms=created_ms,
                         updated_ms=created_ms)
    return msgspec.structs.replace(record, **changes)


Body = Callable[[MethodStore], Coroutine[Any, Any, None]]


def with_methods(storage: Storage, body: Body) -> None:
    async def main() -> None:
        store = storage.method_store()
        try:
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())


def test_create_get_and_list_by_owner(storage: Storage) -> None:
    async def body(store: MethodStore) -> None:
        first, second = saved("m1", created_ms=10), saved("m2", created_ms=20)
        other = saved("m3", owner="b" * 64, created_ms=5)
        for record in (second, other, first):
            await store.create(record)
        assert await store.get("m1") == first
        assert await store.get("nope") is None
        assert await store.owned_by("browser", "a" * 64) == [first, second]
        assert await store.owned_by("browser", "b" * 64) == [other]
        assert await store.owned_by("group", "a" * 64) == []
        assert await store.published() == []

    with_methods(storage, body)


def test_replace_needs_the_version_read(storage: Storage) -> None:
    async def body(store: MethodStore) -> None:
        await store.create(saved("m1"))
        edited = saved("m1", toml='id = "m1"\n# edited\n', version=2, updated_ms=2)
        assert await store.replace(edited, expected_version=1)
        assert await store.get("m1") == edited
        stale = saved("m1", toml="lost", version=2)
        assert not await store.replace(stale, expected_version=1)  # a second tab's old copy
        assert await store.get("m1") == edited
        assert not await store.replace(saved("gone", version=2), expected_version=1)
        assert await store.get("gone") is None

    with_methods(storage, body)


def test_publish_unpublish_and_delete(storage: Storage) -> None:
    async def body(store: MethodStore) -> None:
        await store.create(saved("m1", created_ms=1))
        await store.create(saved("m2", created_ms=2, published=True))
        shared = saved("m1", created_ms=1, published=True, version=2)
        assert await store.replace(shared, expected_version=1)
        assert [m.id for m in await store.published()] == ["m1", "m2"]
        assert await store.replace(saved("m1", created_ms=1, version=3), expected_version=2)
        assert [m.id for m in await store.published()] == ["m2"]
        await store.delete("m2")
        await store.delete("never-there")
        assert await store.get("m2") is None
        assert await store.published() == []
        assert [m.id for m in await store.owned_by("browser", "a" * 64)] == ["m1"]

    with_methods(storage, body)


def test_survives_reopening(storage: Storage) -> None:
    async def body(store: MethodStore) -> None:
        await store.create(saved("kept", published=True))

    with_methods(storage, body)

    async def again(store: MethodStore) -> None:
        assert await store.get("kept") == saved("kept", published=True)
        assert [m.id for m in await store.published()] == ["kept"]

    with_methods(storage, again)
