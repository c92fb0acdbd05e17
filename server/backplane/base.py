"""The backplane contract.

A backplane gives each op of a room the room's next ``seq``, appends it durably to
the room's log, and then delivers it to every subscriber of the room, in seq order.
A subscriber may miss deliveries (Redis pub/sub is at-most-once); it detects the gap
from ``seq`` and calls ``read`` to fill it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from server.core.records import Record, Sequenced

OnSequenced = Callable[[Sequenced], None]
OnEphemeral = Callable[[bytes], None]
OnLost = Callable[[str], None]


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

    async def epoch(self, room: str) -> str:
        """Changes if the log lost its data; clients then get a full snapshot."""

    def counters(self) -> dict[str, int]:
        """Plain integers for ``/healthz`` (no ids, no content)."""
