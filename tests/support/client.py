"""A real websocket board client for tests and the benchmark.

It keeps its own copy of the board from the welcome and the events, checks that
seq is gap-free, and records every answer it gets.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import secrets
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

PROTOCOL = 1
ASK = 3
"""Index of the Tienstappen step "ask" (after the frame's check-in and case choice)."""
_ids = itertools.count(1)
_open: set[BoardClient] = set()


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an async test scenario; close every client it left open, pass or fail."""

    async def wrapper() -> None:
        try:
            await scenario()
        finally:
            await asyncio.gather(*(c.close() for c in list(_open)), return_exceptions=True)
            _open.clear()

    asyncio.run(wrapper())


class BoardClient:
    def __init__(self, ws_base: str, session_id: str, token: str, name: str, *,
                 client_id: str | None = None, origin: str | None = None) -> None:
        self.url = f"{ws_base}/ws/{session_id}"
        self.origin = origin or ws_base.replace("ws://", "http://")
        self.token = token
        self.name = name
        self.client_id = client_id or f"test-{secrets.token_hex(8)}"
        self.ws: ClientConnection | None = None
        self.welcome: dict[str, Any] | None = None
        self.epoch = ""
        self.seq = 0
        self.client_seq = 0
        self.board: dict[str, Any] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.participants: dict[str, dict[str, Any]] = {}
        self.sections: dict[str, dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []
        self.seqs: list[int] = []
        self.gaps: list[tuple[int, int]] = []
        self.acks: dict[int, dict[str, Any]] = {}
        self.ack_counts: Counter[int] = Counter()
        self.errors: list[dict[str, Any]] = []
        self.unacked: dict[int, dict[str, Any]] = {}
        self.answers: dict[int, list[dict[str, Any]]] = {}
        self.unavailable: set[int] = set()
        self.reconnected_at: list[float] = []
        self.close_code: int | None = None
        self.take_over: bool | None = None
        """Sent in the hello when set (the facilitator link while someone else leads)."""
        self._cond = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    # -- connection ---------------------------------------------------------------------

    async def connect(self, *, resume: bool = False, timeout: float = 10) -> dict[str, Any]:
        self.ws = await websockets.connect(self.url, origin=self.origin,  # type: ignore[arg-type]
                                           max_size=2**22, compression=None)
        hello: dict[str, Any] = {"type": "hello", "protocol": PROTOCOL, "token": self.token,
                                 "name": self.name, "client_id": self.client_id}
        if self.take_over is not None:
            hello["take_over"] = self.take_over
        if resume:
            hello["resume"] = {"epoch": self.epoch, "last_seq": self.seq}
        _open.add(self)
        self.welcome = None
        self.close_code = None
        await self.ws.send(json.dumps(hello))
        self._reader = asyncio.create_task(self._read())
        await self.until(lambda: self.welcome is not None or self.close_code is not None,
                         timeout)
        if self.welcome is None:
            raise ConnectionError(f"no welcome: {self.errors} close={self.close_code}")
        return self.welcome

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                self._handle(json.loads(raw))
                async with self._cond:
                    self._cond.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            rcvd = self.ws.protocol.close_rcvd
            self.close_code = rcvd.code if rcvd else 1006
            async with self._cond:
                self._cond.notify_all()

    def _handle(self, msg: dict[str, Any]) -> None:
        self.messages.append(msg)
        match msg["type"]:
            case "welcome":
                self.welcome = msg
                self.epoch = msg["epoch"]
                if not msg["recovered"]:
                    self._load(msg["board"])
                self.seq = msg["seq"]
            case "event":
                if msg["seq"] != self.seq + 1:
                    self.gaps.append((self.seq, msg["seq"]))
                self.seq = msg["seq"]
                self.seqs.append(msg["seq"])
                for change in msg["changes"]:
                    self._change(change)
            case "applied" | "rejected":
                self.acks[msg["client_seq"]] = msg
                self.answers.setdefault(msg["client_seq"], []).append(msg)
                self.ack_counts[msg["client_seq"]] += 1
                self.unacked.pop(msg["client_seq"], None)
            case "error":
                self.errors.append(msg)
                if msg["code"] == "unavailable" and msg.get("client_seq") is not None:
                    self.unavailable.add(msg["client_seq"])
            case "presence":
                self.online = msg["online"]

    def _load(self, board: dict[str, Any]) -> None:
        self.board = {k: v for k, v in board.items()
                      if k not in ("items", "participants", "sections")}
        self.items = {item["id"]: item for item in board["items"]}
        self.participants = {p["id"]: p for p in board["participants"]}
        self.sections = {s["id"]: s for s in board["sections"]}

    def _change(self, change: dict[str, Any]) -> None:
        match change["type"]:
            case "item_put":
                self.items[change["item"]["id"]] = change["item"]
            case "item_removed":
                self.items.pop(change["item_id"], None)
            case "section_put":
                self.sections[change["section"]["id"]] = change["section"]
            case "participant_put":
                self.participants[change["participant"]["id"]] = change["participant"]
            case "step_set":
                self.board["step"] = change["step"]
            case "timer_set":
                self.board["timer"] = change["timer"]
            case "ready_set":
                self.board["ready_count"] = change["count"]
            case "session_put":
                self.board.update({k: v for k, v in change.items() if k != "type"})

    async def until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        async with self._cond:
            await asyncio.wait_for(self._cond.wait_for(predicate), timeout)

    # -- ops -------------------------------------------------------------------------------

    async def send_raw(self, data: str | bytes) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def op(self, kind: str, **fields: Any) -> int:
        """Send an op with the next client_seq; returns that client_seq."""
        self.client_seq += 1
        message = {"type": kind, "client_seq": self.client_seq, **fields}
        self.unacked[self.client_seq] = message
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.send_raw(json.dumps(message))
        return self.client_seq

    async def call(self, kind: str, timeout: float = 10, **fields: Any) -> dict[str, Any]:
        """Send an op and wait for its answer."""
        client_seq = await self.op(kind, **fields)
        await self.until(lambda: client_seq in self.acks, timeout)
        return self.acks[client_seq]

    async def add(self, section: str, text: str, **fields: Any) -> dict[str, Any]:
        return await self.call("add_item", item_id=f"i{next(_ids)}-{secrets.token_hex(3)}",
                               section=section, text=text, **fields)

    async def resend_unacked(self) -> None:
        for message in list(self.unacked.values()):
            await self.send_raw(json.dumps(message))

    async def close(self) -> None:
        _open.discard(self)
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader

    async def drop(self) -> None:
        """Cut the TCP connection without a closing handshake."""
        if self.ws is not None:
            self.ws.transport.abort()
        if self._reader is not None:
            await self._reader

    # -- inspection ----------------------------------------------------------------------

    def role(self) -> str:
        assert self.welcome is not None
        return str(self.participants[self.welcome["participant_id"]]["role"])

    def state_hash(self) -> str:
        doc = {"board": {k: v for k, v in self.board.items() if k != "you_ready"},
               "items": self.items, "participants": self.participants,
               "sections": self.sections}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
