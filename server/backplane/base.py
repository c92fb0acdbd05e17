"""The backplane contract.

A backplane gives each op of a room the room's next ``seq``, appends it durably to
the room's log, and then delivers it to every subscriber of the room, in seq order.
A subscriber may miss deliveries (Redis pub/sub is at-most-once); it detects the gap
from ``seq`` and calls ``read`` to fill it.

The backplane is the one owner of the op log: it appends (``publish``), reads
(``read``), knows the last seq (``last_seq``) and trims (``trim``); the store keeps
sessions and snapshots only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from server.core.records import Record, Sequenced
from server.store.base import SessionMeta

OnSequenced = Callable[[Sequenced], None]
OnEphemeral = Callable[[bytes], None]
OnLost = Callable[[str], None]


class OpLog(Protocol):
    """Where the embedded backplane keeps each room's log: the sessions' SQLite file,
    so deleting a session removes its log in the same transaction. Only the memory
    backplane calls it."""

    def append_now(self, batch: dict[str, list[tuple[int, bytes]]]) -> bool:
        """Append in one transaction without waiting: False, nothing written, when the
        log cannot be written at once (then ``append_many``)."""

    async def append_many(self, batch: dict[str, list[tuple[int, bytes]]]) -> None: ...

    async def read_log(self, session_id: str, after_seq: int) -> list[tuple[int, bytes]]: ...

    async def last_seq(self, session_id: str) -> int: ...

    async def trim_log(self, session_id: str, upto_seq: int) -> None:
        """Drop entries with seq <= ``upto_seq`` that a durable snapshot covers."""

    async def get_session(self, session_id: str) -> SessionMeta | None: ...


class Backplane(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def watch(self, on_lost: OnLost) -> None:
        """Call ``on_lost(room)`` when the log lost the room (its epoch changed): the
        hub must then reload the room and send its clients a full snapshot."""

    async def subscribe(self, room: str, on_op: OnSequenced, on_ephemeral: OnEphemeral) -> None:
        """Deliver the room's ops (and ephemeral messages) to the callbacks."""

    async def unsubscribe(self, room: str, on_op: OnSequenced) -> None: ...

    async def publish(self, room: str, record: Record) -> int:
        """Sequence ``record``; returns its seq once it is durable."""

    async def publish_ephemeral(self, room: str, data: bytes) -> None:
        """Fan out an unsequenced, never-stored message (presence)."""

    async def read(self, room: str, after_seq: int) -> list[Sequenced]:
        """The room's logged ops with seq > ``after_seq``, in order."""

    async def last_seq(self, room: str) -> int:
        """The last seq the log holds for the room (0 if none)."""

    async def trim(self, room: str, upto_seq: int) -> None:
        """Drop the room's log entries up to ``upto_seq`` that a durable snapshot
        covers (never more)."""

    async def epoch(self, room: str) -> str:
        """Changes if the log lost its data; clients then get a full snapshot."""

    def counters(self) -> dict[str, int]:
        """Plain integers for ``/healthz`` (no ids, no content)."""
