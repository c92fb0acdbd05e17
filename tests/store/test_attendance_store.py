"""One set of attendance store bodies, run against SQLite and against real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from server.attendance.record import Confirmation, Interval, SessionFacts
from server.attendance.sqlite import SqliteAttendance
from server.attendance.store import AttendanceStore
from server.tokens import new_id
from tests.support.redis import admin_client
from tests.support.storage import Storage


def with_store(storage: Storage, body: Callable[[AttendanceStore], Coroutine[Any, Any, None]]
               ) -> None:
    async def main() -> None:
        store = storage.attendance()
        try:
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())


def session(created_ms: int = 1000, agreement: str | None = None) -> SessionFacts:
    return SessionFacts(session_id=new_id(), method="tienstappen", method_name="Tienstappen",
                        language="nl", created_ms=created_ms, agreement=agreement)


def test_facts_round_trip_and_writes_are_idempotent(storage: Storage) -> None:
    async def body(store: AttendanceStore) -> None:
        facts = session(agreement="Wat hier gezegd wordt, blijft hier.")
        await store.create_session(facts)
        await store.create_session(session())  # another session
        await store.create_session(SessionFacts(**{**{f: getattr(facts, f) for f in
                                   SessionFacts.__struct_fields__}, "agreement": None}))
        sid = facts.session_id
        await store.accept_agreement(sid, "p1", "Wat hier gezegd wordt, blijft hier.", 1500)
        for _ in range(2):  # two hubs, or a replay, write the same facts
            await store.connection_opened(sid, "p1", "c1", "Fenna", "facilitator", 2000)
            await store.mark_started(sid, 3000)
            await store.add_role(sid, "p1", "participant")
        await store.mark_started(sid, 2500)  # the earliest start wins
        await store.mark_started(sid, 9000)
        await store.connection_closed(sid, "p1", "c1", 2000, 5000)
        await store.connection_opened(sid, "p1", "c2", "Fenna", "facilitator", 6000)
        await store.connection_opened(sid, "p2", "c3", "Bram", "participant", 2100)
        await store.connection_closed(sid, "p2", "nope", 2100, 9999)  # unknown: ignored
        await store.confirm(sid, "p2", Confirmation(2100, 8000, 8000))
        await store.confirm(sid, "p9", Confirmation(1, 2, 3))  # no such member: nothing
        await store.attach_member_key(sid, "p2", "k" * 64)  # a group's member key hash
        await store.attach_member_key(sid, "p9", "k" * 64)
        await store.mark_ended(sid, 8000)
        await store.approve(sid, "p1", 8100)
        loaded = await store.load(sid)
        assert loaded is not None
        got, members = loaded
        assert (got.started_ms, got.ended_ms, got.approved_ms, got.approved_by) == (
            2500, 8000, 8100, "p1")
        assert got.agreement == "Wat hier gezegd wordt, blijft hier."
        assert [m.participant_id for m in members] == ["p1", "p2"]
        fenna, bram = members
        assert fenna.name == "Fenna" and sorted(fenna.roles) == ["facilitator", "participant"]
        assert fenna.connections == [Interval(2000, 5000), Interval(6000, None)]
        assert fenna.agreement_ms == 1500 and fenna.confirmation is None
        assert bram.connections == [Interval(2100, None)]
        assert bram.confirmation == Confirmation(2100, 8000, 8000)
        assert bram.member_key == "k" * 64 and fenna.member_key is None
        assert await store.load(new_id()) is None

    with_store(storage, body)


def test_agreement_changes_only_before_the_start(storage: Storage) -> None:
    async def body(store: AttendanceStore) -> None:
        facts = session(agreement="A")
        await store.create_session(facts)
        assert await store.set_agreement(facts.session_id, "B")
        assert await store.set_agreement(facts.session_id, None)
        loaded = await store.load(facts.session_id)
        assert loaded is not None and loaded[0].agreement is None
        await store.mark_started(facts.session_id, 5)
        assert not await store.set_agreement(facts.session_id, "C")
        assert not await store.set_agreement(new_id(), "C")

    with_store(storage, body)


def canary_in(storage: Storage, canary: bytes) -> bool:
    """The name anywhere in the attendance storage: SQLite file and WAL, or Redis."""
    if storage.kind == "redis":
        client = admin_client(storage.redis_url)
        with client:
            for key in client.scan_iter(match=f"{storage.redis_prefix}:*"):
                if canary in key or canary in client.dump(key):
                    return True
        return False
    return any(canary in path.read_bytes() for path in storage.tmp_path.glob("attendance*"))


def test_a_member_deletes_their_record(storage: Storage) -> None:
    canary = "Kanarie-Wilhelmina"

    async def body(store: AttendanceStore) -> None:
        facts = session()
        sid = facts.session_id
        await store.create_session(facts)
        await store.connection_opened(sid, "p1", "c1", "Fenna", "facilitator", 10)
        await store.connection_opened(sid, "p2", "c2", canary, "participant", 20)
        await store.accept_agreement(sid, "p2", "A", 5)
        await store.register_code("CODE-P2", sid, "p2")
        await store.register_code("CODE-P1", sid, "p1")
        assert canary_in(storage, canary.encode())
        await store.delete_member(sid, "p2")
        assert not canary_in(storage, canary.encode())
        assert await store.lookup_code("CODE-P2") is None
        assert await store.lookup_code("CODE-P1") == (sid, "p1")
        # late writes (a hub closing the connection, a role change) bring nothing back
        await store.connection_closed(sid, "p2", "c2", 20, 30)
        await store.add_role(sid, "p2", "presenter")
        await store.connection_opened(sid, "p2", "c9", canary, "participant", 40)
        loaded = await store.load(sid)
        assert loaded is not None
        assert [m.name for m in loaded[1]] == ["Fenna"]
        assert not canary_in(storage, canary.encode())

    with_store(storage, body)


def test_sessions_expire_and_delete(storage: Storage) -> None:
    async def body(store: AttendanceStore) -> None:
        old, closed, fresh = session(100), session(100), session(5000)
        for facts in (old, closed, fresh):
            await store.create_session(facts)
        await store.mark_ended(closed.session_id, 4000)
        await store.connection_opened(old.session_id, "p1", "c1", "Oud", "participant", 100)
        await store.register_code("CODE-OLD", old.session_id, "p1")
        assert await store.expired(3000) == [old.session_id]
        assert sorted(await store.expired(4500)) == sorted([old.session_id, closed.session_id])
        await store.delete_session(old.session_id)
        assert await store.load(old.session_id) is None
        assert await store.lookup_code("CODE-OLD") is None
        assert await store.expired(3000) == []
        assert not canary_in(storage, b"Oud")
        # nothing late recreates it
        await store.connection_opened(old.session_id, "p1", "c2", "Oud", "participant", 200)
        await store.register_code("CODE-OLD2", old.session_id, "p1")
        assert await store.load(old.session_id) is None
        assert await store.lookup_code("CODE-OLD2") is None

    with_store(storage, body)


def test_hub_heartbeats(storage: Storage) -> None:
    async def body(store: AttendanceStore) -> None:
        facts = session()
        await store.create_session(facts)
        await store.connection_opened(facts.session_id, "p1", "c1", "Fenna", "participant",
                                      100, "hub-a")
        await store.hub_seen("hub-a", 1000)
        await store.hub_seen("hub-a", 2000)
        await store.hub_seen("hub-b", 1500)
        seen = await store.hubs_seen()
        assert seen["hub-a"] == 2000 and seen["hub-b"] == 1500
        loaded = await store.load(facts.session_id)
        assert loaded is not None and loaded[1][0].connections == [Interval(100, None, "hub-a")]
        await store.hub_seen("hub-c", 2000 + 86_400_000 + 1)  # a day later: old ones go
        assert set(await store.hubs_seen()) == {"hub-c"}

    with_store(storage, body)


def test_secret_is_made_once(storage: Storage) -> None:
    async def body(store: AttendanceStore) -> None:
        first = await store.secret()
        assert len(first) == 32 and await store.secret() == first
        again = storage.attendance()
        try:
            assert await again.secret() == first
        finally:
            await again.close()

    with_store(storage, body)


def test_sqlite_file_is_its_own(storage: Storage) -> None:
    if storage.kind != "memory":
        return
    store = storage.attendance()
    assert isinstance(store, SqliteAttendance) and store.path.name == "attendance.sqlite3"
    asyncio.run(store.close())


def test_records_are_found_by_member_key(storage: Storage) -> None:
    """A group member's records of several meetings, found by their key hash; a
    deletion (of the member's record or of a session) takes the link with it."""
    mine, theirs = "a" * 64, "b" * 64

    async def body(store: AttendanceStore) -> None:
        one, two, three = session(), session(), session()
        for facts in (one, two, three):
            await store.create_session(facts)
            await store.connection_opened(facts.session_id, "p1", "c1", "Fenna",
                                          "participant", 10)
            await store.connection_opened(facts.session_id, "p2", "c2", "Bram",
                                          "participant", 10)
            await store.attach_member_key(facts.session_id, "p1", mine)
            await store.attach_member_key(facts.session_id, "p2", theirs)
        await store.attach_member_key(one.session_id, "p1", mine)  # again: one link
        await store.attach_member_key(one.session_id, "p9", mine)  # no such member
        await store.attach_member_key(new_id(), "p1", mine)  # no such session
        expected = sorted((f.session_id, "p1") for f in (one, two, three))
        assert sorted(await store.records_of_member(mine)) == expected
        assert sorted(await store.records_of_member(theirs)) == sorted(
            (f.session_id, "p2") for f in (one, two, three))
        assert await store.records_of_member("c" * 64) == []
        await store.delete_member(two.session_id, "p1")
        await store.delete_session(three.session_id)
        assert await store.records_of_member(mine) == [(one.session_id, "p1")]
        assert sorted(await store.records_of_member(theirs)) == sorted(
            [(one.session_id, "p2"), (two.session_id, "p2")])
        # a deleted member's record is not linked again by a late write
        await store.attach_member_key(two.session_id, "p1", mine)
        assert await store.records_of_member(mine) == [(one.session_id, "p1")]

    with_store(storage, body)
