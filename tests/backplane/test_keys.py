"""Key names: one session's keys share a Redis Cluster slot; channels map back."""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from server.hub.presence import PRESENCE_TTL_S, PresenceMap, PresenceNote
from server.redis_keys import credentials, is_cluster, room_keys, room_of_channel, seeds


def test_a_rooms_keys_share_one_cluster_slot_and_differ_between_rooms() -> None:
    room = "9e1f0c4b7a2d48e6b3c5a1f09d8e7c6b"
    keys = room_keys("ib", room)
    assert all(f"{{{room}}}" in key for key in keys)
    assert len({key_slot(key.encode()) for key in keys}) == 1
    assert len(set(keys)) == len(keys)
    other = room_keys("ib", "0" * 32)
    assert not set(keys) & set(other)
    assert room_of_channel("ib", keys.channel) == room
    assert room_of_channel("ibtest-1f2e", room_keys("ibtest-1f2e", room).channel) == room


def test_presence_merges_hubs_and_forgets_a_silent_one() -> None:
    board = PresenceMap("hub-a")
    board.note(PresenceNote(hub="hub-b", online=["p2", "p3"]), now=0.0)
    board.note(PresenceNote(hub="hub-a", online=["ignored"]), now=0.0)  # our own echo
    assert board.online(["p1"], now=1.0) == ["p1", "p2", "p3"]
    board.note(PresenceNote(hub="hub-c", online=["p4"]), now=PRESENCE_TTL_S)
    assert board.online([], now=PRESENCE_TTL_S + 1) == ["p4"], "hub-b fell silent"
    board.note(PresenceNote(hub="hub-c", online=[]), now=PRESENCE_TTL_S + 2)
    assert board.online(["p1"], now=PRESENCE_TTL_S + 2) == ["p1"]


@pytest.mark.parametrize(("url", "cluster", "nodes", "creds"), [
    ("redis://127.0.0.1:6379/0", False, [("127.0.0.1", 6379)], {"ssl": False}),
    ("redis+cluster://10.0.0.1:7000", True, [("10.0.0.1", 7000)], {"ssl": False}),
    ("redis+cluster://a:7000,b:7001, c", True, [("a", 7000), ("b", 7001), ("c", 6379)],
     {"ssl": False}),
    ("rediss+cluster://user:p%40ss@a:7000,b:7001", True, [("a", 7000), ("b", 7001)],
     {"ssl": True, "username": "user", "password": "p@ss"}),
    ("redis+cluster://:secret@[::1]:7000", True, [("::1", 7000)],
     {"ssl": False, "username": None, "password": "secret"}),
])
def test_cluster_urls_name_seed_nodes(url: str, cluster: bool, nodes: list[tuple[str, int]],
                                      creds: dict[str, object]) -> None:
    assert is_cluster(url) is cluster
    if cluster:
        assert seeds(url) == nodes
    assert credentials(url) == creds
