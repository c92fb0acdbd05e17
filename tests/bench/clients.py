"""The load generator's clients: one class per system, same op stream for all three.

Every op is an item edit whose text carries ``b <sender> <n> <send time ns>``: the
sender's index in its room, its op counter (1, 2, 3, ...) and ``time.time_ns()``
when it was sent. Every member decodes every delivery, records the latency, and
checks that each sender's counter arrives without gap, duplicate or reorder
(and, for Intervisiebord, that the room's ``seq`` is gap-free).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from array import array
from collections import Counter
from typing import Any

import msgspec
import websockets
from websockets.asyncio.client import ClientConnection

from tests.support.client import ASK

OPEN_TIMEOUT_S = 60.0
WELCOME_TIMEOUT_S = 60.0
RECONNECT_ATTEMPTS = 200
RECONNECT_PAUSE_S = 0.05
PROTOCOL = 1
ASK_STEP = ASK
"""Tienstappen step "ask": every participant may add and edit in ``questions``."""
SECTION = "questions"
EXAMPLES = 20
CLOSED = "closed_"
"""Error kind prefix of a connection the server ended (followed by the close code)."""

_decode = msgspec.json.decode


class Tally:
    """What one worker process observed: latencies, deliveries, correctness errors."""

    def __init__(self) -> None:
        self.latencies_us = array("q")
        self.deliveries = 0
        self.measure_from_ns = 0
        self.measure_until_ns = 0
        self.errors: Counter[str] = Counter()
        self.examples: list[str] = []

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{kind}: {detail}")

    def reset(self) -> None:
        self.latencies_us = array("q")
        self.deliveries = 0
        self.errors.clear()
        self.examples.clear()


class Member:
    """One client in one room. ``last_n[s]`` is the last counter seen from sender s."""

    def __init__(self, tally: Tally, ports: list[int], hub: int, room_id: str, size: int,
                 index: int, reconnect: bool = False) -> None:
        self.tally = tally
        self.ports = ports
        self.hub = hub
        self.first_hub = hub
        self.room_id = room_id
        self.index = index
        self.last_n = [0] * size
        self.total = 0
        """sum(last_n), kept as counters arrive."""
        self.n = 0
        self.reconnect = reconnect
        self.ws: ClientConnection | None = None
        self.connected = False
        self.closing = False
        self.reconnects = 0
        self.last_activity = 0.0
        self._reader: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None

    # -- bookkeeping --------------------------------------------------------------------

    def received(self) -> int:
        return self.total

    def _on_text(self, text: str, now_ns: int) -> None:
        if not text.startswith("b "):
            return
        _, s, n, t = text.split(" ")
        sender, count, sent_ns = int(s), int(n), int(t)
        tally = self.tally
        last = self.last_n[sender]
        if count != last + 1:
            kind = "gap" if count > last + 1 else "duplicate_or_reorder"
            tally.error(kind, f"room {self.room_id[:8]} member {self.index} "
                              f"from {sender}: {last} -> {count}")
        if count > last:
            self.last_n[sender] = count
            self.total += count - last
        tally.deliveries += 1
        if tally.measure_from_ns <= sent_ns < tally.measure_until_ns:
            tally.latencies_us.append((now_ns - sent_ns) // 1000)

    def op_text(self) -> str:
        self.n += 1
        return f"b {self.index} {self.n} {time.time_ns()}"

    # -- connection ---------------------------------------------------------------------

    async def _open(self, url: str, origin: str | None = None) -> ClientConnection:
        return await websockets.connect(url, origin=origin,  # type: ignore[arg-type]
                                        compression=None, max_size=2**24,
                                        open_timeout=OPEN_TIMEOUT_S, ping_interval=None,
                                        max_queue=None)

    async def connect(self, resume: bool = False) -> None:
        raise NotImplementedError

    async def send_op(self) -> None:
        raise NotImplementedError

    async def _read(self) -> None:
        assert self.ws is not None
        ws = self.ws
        try:
            async for raw in ws:
                self.handle(raw)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.connected = False
            if not self.closing and not self.reconnect:
                received = ws.protocol.close_rcvd
                self.tally.error(f"{CLOSED}{received.code if received else 1006}",
                                 f"member {self.index} of room {self.room_id[:8]}")
            following = self._reconnecting is not None and not self._reconnecting.done()
            if self.reconnect and not self.closing and ws is self.ws and not following:
                self._reconnecting = asyncio.create_task(self._follow())

    def handle(self, raw: str | bytes) -> None:
        raise NotImplementedError

    async def _follow(self) -> None:
        """Reconnect to the next hub that answers, resume, resend what is unanswered."""
        for attempt in range(RECONNECT_ATTEMPTS):
            self.hub = (self.hub + 1) % len(self.ports)
            try:
                await self.connect(resume=True)
            except (OSError, websockets.InvalidHandshake, ConnectionError, TimeoutError):
                await asyncio.sleep(RECONNECT_PAUSE_S * min(attempt + 1, 10))
                continue
            self.reconnects += 1
            await self.resend()
            return
        self.tally.error("reconnect_failed", f"member {self.index}")

    async def resend(self) -> None:
        pass

    async def close(self) -> None:
        self.closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reconnecting
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)

    def state_hash(self) -> str:
        return ""

    def unanswered(self) -> int:
        return 0

    def seq_now(self) -> int:
        return 0


class BoardMember(Member):
    """An Intervisiebord participant: hello with the invite token, then edit_item ops."""

    def __init__(self, *args: Any, token: str, client_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = token
        self.client_id = client_id
        self.item_id = f"it-{client_id[-20:]}"
        self.client_seq = 0
        self.seq = 0
        self.epoch = ""
        self.items: dict[str, str] = {}
        self.unacked: dict[int, str] = {}
        self.acked = 0
        self._welcome: asyncio.Future[dict[str, Any]] | None = None

    async def connect(self, resume: bool = False) -> None:
        port = self.ports[self.hub]
        ws = await self._open(f"ws://127.0.0.1:{port}/ws/{self.room_id}",
                              origin=f"http://127.0.0.1:{port}")
        hello: dict[str, Any] = {"type": "hello", "protocol": PROTOCOL, "token": self.token,
                                 "name": f"Lid {self.index}", "client_id": self.client_id}
        if resume:
            hello["resume"] = {"epoch": self.epoch, "last_seq": self.seq}
        self._welcome = asyncio.get_running_loop().create_future()
        self.ws = ws
        await ws.send(json.dumps(hello))
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(asyncio.shield(self._welcome), WELCOME_TIMEOUT_S)
        except BaseException:
            await ws.close()
            raise
        self.connected = True

    def handle(self, raw: str | bytes) -> None:
        now_ns = time.time_ns()
        msg = _decode(raw)
        kind = msg["type"]
        if kind == "event":
            seq = msg["seq"]
            if seq != self.seq + 1:
                kind_ = "seq_gap" if seq > self.seq + 1 else "seq_duplicate_or_reorder"
                self.tally.error(kind_, f"member {self.index}: {self.seq} -> {seq}")
            self.seq = max(self.seq, seq)
            for change in msg["changes"]:
                ctype = change["type"]
                if ctype == "item_put":
                    item = change["item"]
                    text = item.get("text", "")
                    self.items[item["id"]] = text
                    self._on_text(text, now_ns)
                elif ctype == "item_removed":
                    self.items.pop(change["item_id"], None)
            self.last_activity = time.monotonic()
        elif kind == "applied" or kind == "rejected":
            if self.unacked.pop(msg["client_seq"], None) is None:
                self.tally.error("unexpected_answer", f"member {self.index}: {msg}")
            self.acked += 1
            if kind == "rejected":
                self.tally.error("rejected", f"member {self.index}: {msg.get('code')}")
            self.last_activity = time.monotonic()
        elif kind == "welcome":
            self.epoch = msg["epoch"]
            if not msg["recovered"]:
                self._load(msg["board"])
            self.seq = msg["seq"]
            self.last_activity = time.monotonic()
            if self._welcome is not None and not self._welcome.done():
                self._welcome.set_result(msg)
        elif kind == "error":
            self.tally.error("error_" + msg["code"], f"member {self.index}: {msg['reason']}")
            if self._welcome is not None and not self._welcome.done():
                self._welcome.set_exception(ConnectionError(msg["code"]))

    def _load(self, board: dict[str, Any]) -> None:
        """A snapshot: take the board's items and the counters their texts show."""
        self.items = {item["id"]: item.get("text", "") for item in board["items"]}
        for text in self.items.values():
            if text.startswith("b "):
                _, s, n, _t = text.split(" ")
                sender = int(s)
                if sender < len(self.last_n):
                    self.last_n[sender] = max(self.last_n[sender], int(n))
        self.total = sum(self.last_n)

    async def _send(self, message: dict[str, Any]) -> int:
        self.client_seq += 1
        message["client_seq"] = self.client_seq
        frame = json.dumps(message)
        self.unacked[self.client_seq] = frame
        if self.connected and self.ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.ws.send(frame)
        return self.client_seq

    async def send_op(self) -> None:
        await self._send({"type": "edit_item", "item_id": self.item_id,
                          "text": self.op_text()})

    async def set_step(self, step: int) -> None:
        await self._send({"type": "set_step", "step": step})

    async def add_own_item(self) -> None:
        await self._send({"type": "add_item", "item_id": self.item_id, "section": SECTION,
                          "text": "init"})

    async def resend(self) -> None:
        assert self.ws is not None
        for frame in list(self.unacked.values()):
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.ws.send(frame)

    def unanswered(self) -> int:
        return len(self.unacked)

    def seq_now(self) -> int:
        return self.seq

    def state_hash(self) -> str:
        return hashlib.sha256(json.dumps(sorted(self.items.items())).encode()).hexdigest()


class RawMember(Member):
    """A client of the bare broadcast server: the room is the path."""

    async def connect(self, resume: bool = False) -> None:
        self.ws = await self._open(f"ws://127.0.0.1:{self.ports[self.hub]}/{self.room_id}")
        self._reader = asyncio.create_task(self._read())
        self.connected = True

    def handle(self, raw: str | bytes) -> None:
        now_ns = time.time_ns()
        self._on_text(_decode(raw)["text"], now_ns)

    async def send_op(self) -> None:
        assert self.ws is not None
        frame = json.dumps({"type": "edit_item", "item_id": f"it-{self.index}",
                            "text": self.op_text()})
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(frame)


class SocketIOMember(Member):
    """A Socket.IO v5 client spoken directly over Engine.IO v4's websocket transport.

    Open packet ``0{...}``, namespace connect ``40{auth}`` answered by ``40{sid}``,
    events ``42["op", {...}]``, and a pong ``3`` for every server ping ``2``.
    """

    async def connect(self, resume: bool = False) -> None:
        port = self.ports[self.hub]
        ws = await self._open(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket")
        opened = await asyncio.wait_for(ws.recv(), WELCOME_TIMEOUT_S)
        if not str(opened).startswith("0"):
            raise ConnectionError(f"no engine.io open packet: {opened!r}")
        await ws.send("40" + json.dumps({"room": self.room_id}))
        while True:
            answer = str(await asyncio.wait_for(ws.recv(), WELCOME_TIMEOUT_S))
            if answer == "2":
                await ws.send("3")
                continue
            break
        if not answer.startswith("40"):
            raise ConnectionError(f"socket.io connect refused: {answer!r}")
        self.ws = ws
        self._reader = asyncio.create_task(self._read())
        self.connected = True

    def handle(self, raw: str | bytes) -> None:
        now_ns = time.time_ns()
        text = str(raw)
        if text.startswith("42"):
            self._on_text(_decode(text[2:])[1]["text"], now_ns)
        elif text == "2" and self.ws is not None:
            asyncio.get_running_loop().create_task(self._pong(self.ws))

    @staticmethod
    async def _pong(ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send("3")

    async def send_op(self) -> None:
        assert self.ws is not None
        frame = "42" + json.dumps(["op", {"type": "edit_item", "item_id": f"it-{self.index}",
                                          "text": self.op_text()}])
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(frame)
