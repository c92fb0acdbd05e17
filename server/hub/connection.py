"""One websocket connection, served as uvicorn's websocket protocol (below ASGI).

uvicorn parses HTTP and hands every upgrade request to this protocol (its ``ws``
setting); the HTTP routes stay a Starlette app. The websocket handshake, frames and
keepalive are websockets' sans-I/O ``ServerProtocol``. A connection is a transport and
nothing else: the app hands it a ``Wiring`` (through the lifespan state) that says
which upgrades to accept (``route``) and what serves an accepted one (``serve``, the
endpoint); it knows no room, member or hub.

Invariants:
- the hub never awaits a client: ``send`` writes to the transport, or, while the
  transport is paused (its buffer is above the high-water mark), appends to a
  backlog of at most ``queue_size`` frames; a connection whose backlog is full is
  closed with SLOW_CONSUMER (4008) and its backlog is dropped;
- frames leave in the order they were sent; a close goes out after them;
- a close that the peer does not answer within FLUSH_TIMEOUT_S (it stopped reading,
  or is gone) aborts the TCP connection;
- once closed by either side, ``receive`` raises ``Disconnected``, so the member
  leaves its room at once;
- server frames are unmasked and carry no extension, so an event's frame is built
  once (``text_frame``) and written to every member as it is.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from server.hub import codes
from server.security import SECURITY_HEADERS

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from server.config import Settings

log = logging.getLogger("intervisiebord.hub")
access_log = logging.getLogger("uvicorn.error")
"""Where uvicorn itself logs websocket handshakes."""

FLUSH_TIMEOUT_S = 5.0
"""How long a closing connection may take to write what is still buffered and get
the peer's close frame; after that the TCP connection is aborted."""

INBOX_HIGH: Final = 16
"""Received messages waiting for the session before reading from the socket pauses."""

SERVICES_KEY: Final = "intervisiebord.services"
"""Key of the lifespan state that holds the ``Wiring`` for new connections."""


_REASONS: Final = {403: "Forbidden", 404: "Not Found", 503: "Service Unavailable"}


class Disconnected(Exception):
    """The connection is closed; ``code`` is the close code (1006: no close frame)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def text_frame(payload: bytes) -> bytes:
    """A complete server-to-client text frame: unmasked, no extension."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


@dataclass(frozen=True, slots=True)
class Wiring:
    """What the app gives new connections once it has started."""

    settings: Settings
    """Transport limits: message size, backlog bound, keepalive."""
    route: Callable[[Request], str | int]
    """The session id an upgrade request names, or the HTTP status to refuse it with."""
    serve: Callable[[Connection, str], Coroutine[Any, Any, None]]
    """Runs an accepted connection for that session id until it ends."""


class Connection(asyncio.Protocol):
    """The protocol uvicorn instantiates per upgrade request (``ws=Connection``)."""

    __slots__ = (
        "_backlog",
        "_connections",
        "_fragments",
        "_inbox",
        "_ping",
        "_read_paused",
        "_settings",
        "_tasks",
        "_timer",
        "_transport",
        "_waiter",
        "_wiring",
        "close_code",
        "closed",
        "label",
        "proto",
    )

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        wiring: Wiring | None = app_state.get(SERVICES_KEY)
        """None until the app has started (the handshake is then refused with 503)."""
        self._wiring = wiring
        self._settings: Settings | None = wiring.settings if wiring else None
        self.proto = ServerProtocol(
            max_size=self._settings.max_message if self._settings else config.ws_max_size)
        self._connections = cast(set[object], server_state.connections)
        self._tasks = server_state.tasks
        self._transport: asyncio.Transport | None = None
        self._backlog: list[bytes] | None = None
        """Frames waiting while the transport is paused; None while it takes them."""
        self._inbox: list[bytes | None] = []
        """Received messages for the session: a text payload, None for a binary one."""
        self._fragments: list[bytes] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._read_paused = False
        self._timer: asyncio.TimerHandle | None = None
        """The next keepalive ping, the pong deadline or, once closing, the abort."""
        self._ping: bytes | None = None
        self.label = ""
        """What the logs call this connection (its member's participant id, once
        welcomed); nothing else reads it."""
        self.closed = False
        self.close_code: int | None = None

    # -- asyncio.Protocol -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._cancel_timer()
        if not self.closed:
            self.closed = True
            self.close_code = 1006
        self._backlog = None
        self._wake()

    def data_received(self, data: bytes) -> None:
        proto = self.proto
        proto.receive_data(data)
        for event in proto.events_received():
            if isinstance(event, Frame):
                self._on_frame(event)
            elif isinstance(event, Request):
                self._on_request(event)
        self._flush_protocol()

    def eof_received(self) -> bool | None:
        self.proto.receive_eof()
        self._flush_protocol()
        self._gone(1006)
        return None

    def pause_writing(self) -> None:
        if self._backlog is None:
            self._backlog = []

    def resume_writing(self) -> None:
        backlog, self._backlog = self._backlog, None
        if backlog and self._transport is not None:
            self._transport.write(b"".join(backlog))

    def shutdown(self) -> None:
        """uvicorn stops: members are told 1012 and reconnect to another hub."""
        if self.proto.state is State.OPEN:
            self.close(codes.SERVICE_RESTART, "server restarting")
        elif self._transport is not None and not self.closed:
            self.closed = True
            self._transport.close()

    # -- the session's side -------------------------------------------------------------

    def send(self, payload: bytes) -> None:
        """Send one JSON message (``payload`` is its UTF-8 text)."""
        if not self.closed:
            self.send_frame(text_frame(payload))

    def send_frame(self, frame: bytes) -> None:
        """Send a frame built by ``text_frame``; never waits (see the invariants)."""
        if self.closed:
            return
        backlog = self._backlog
        if backlog is None:
            self._transport.write(frame)  # type: ignore[union-attr]
        elif len(backlog) < self._settings.queue_size:  # type: ignore[union-attr]
            backlog.append(frame)
        else:
            log.warning("closing a slow consumer (backlog full)")
            self.close(codes.SLOW_CONSUMER, "outbound queue full")

    async def receive(self) -> bytes | None:
        """The next text message's payload (None for a binary message).

        Raises ``Disconnected`` once the connection is closed, even if messages are
        still waiting: nothing a closing member sent is applied after its close."""
        while True:
            if self.closed:
                raise Disconnected(self.close_code or 1006)
            inbox = self._inbox
            if inbox:
                message = inbox.pop(0)
                if self._read_paused and len(inbox) < INBOX_HIGH // 2:
                    self._read_paused = False
                    self._transport.resume_reading()  # type: ignore[union-attr]
                return message
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    def close(self, code: int, reason: str = "") -> None:
        """Close after what was sent; a slow consumer's backlog is dropped."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._wake()
        transport = self._transport
        if transport is None or transport.is_closing() or self.proto.state is not State.OPEN:
            return
        if self._read_paused:  # the peer's close frame must be read
            self._read_paused = False
            transport.resume_reading()
        self.proto.send_close(code, reason)
        frame = b"".join(self.proto.data_to_send())
        if code == codes.SLOW_CONSUMER:
            self._backlog = None
        if self._backlog is None:
            transport.write(frame)
        else:
            self._backlog.append(frame)
        self._cancel_timer()
        self._timer = asyncio.get_running_loop().call_later(FLUSH_TIMEOUT_S, self._abort)

    # -- internals ------------------------------------------------------------------------

    def _on_request(self, request: Request) -> None:
        wiring = self._wiring
        decision = wiring.route(request) if wiring is not None else 503
        if isinstance(decision, str):
            response = self.proto.accept(request)
        else:
            response = self.proto.reject(decision, f"{_REASONS.get(decision, 'Refused')}\n")
            _add_security_headers(response)
        peer = self._transport.get_extra_info("peername") if self._transport else None
        access_log.info(
            '%s - "WebSocket %s" %s',
            f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "-",
            request.path.partition("?")[0],
            "[accepted]" if response.status_code == 101 else response.status_code,
        )
        self.proto.send_response(response)
        if response.status_code != 101 or wiring is None or not isinstance(decision, str):
            return
        handshake = self.proto
        if self._transport is not None and not handshake.reader.buffer:
            # frames get a protocol of their own: the handshake's parser would keep the
            # request and its headers alive for as long as the connection lasts
            self._transport.write(b"".join(handshake.data_to_send()))
            self.proto = ServerProtocol(state=State.OPEN, max_size=wiring.settings.max_message)
        self._schedule_ping()
        task = asyncio.get_running_loop().create_task(wiring.serve(self, decision))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_frame(self, frame: Frame) -> None:
        match frame.opcode:
            case Opcode.TEXT if frame.fin:
                self._deliver(bytes(frame.data))
            case Opcode.TEXT:
                self._fragments = [bytes(frame.data)]
            case Opcode.BINARY:  # answered, never read; its continuations are dropped
                self._fragments = None
                self._deliver(None)
            case Opcode.CONT:
                if self._fragments is not None:
                    self._fragments.append(bytes(frame.data))
                    if frame.fin:
                        data, self._fragments = b"".join(self._fragments), None
                        self._deliver(data)
            case Opcode.PONG:
                if self._ping is not None and frame.data == self._ping:
                    self._ping = None
                    self._cancel_timer()
                    self._schedule_ping()
            case Opcode.CLOSE:
                close = self.proto.close_rcvd
                self._gone(close.code if close is not None else 1005)
            case _:  # ping: the protocol queued the pong
                pass

    def _deliver(self, message: bytes | None) -> None:
        if self.closed:
            return
        inbox = self._inbox
        inbox.append(message)
        if len(inbox) >= INBOX_HIGH and not self._read_paused:
            self._read_paused = True
            self._transport.pause_reading()  # type: ignore[union-attr]
        self._wake()

    def _flush_protocol(self) -> None:
        """Write what the protocol produced (handshake, pongs, close replies); close
        the TCP connection when it signals the end of the stream."""
        writes = self.proto.data_to_send()
        if not writes or self._transport is None:
            return
        data = b"".join(writes)
        if data:
            if self._backlog is None:
                self._transport.write(data)
            else:
                self._backlog.append(data)
        if writes[-1] == b"":
            if self._backlog:
                self._transport.write(b"".join(self._backlog))
                self._backlog = None
            self._transport.close()
            if self.proto.state is not State.OPEN and not self.closed:
                self._gone(1006)

    def _gone(self, code: int) -> None:
        """The peer closed (or failed) the connection."""
        if not self.closed:
            self.closed = True
            self.close_code = code
            self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _schedule_ping(self) -> None:
        settings = self._settings
        if settings is None or settings.ping_interval <= 0 or self.closed:
            return
        self._timer = asyncio.get_running_loop().call_later(settings.ping_interval, self._send_ping)

    def _send_ping(self) -> None:
        self._timer = None
        if self.closed or self.proto.state is not State.OPEN or self._settings is None:
            return
        self._ping = secrets.token_bytes(4)
        self.proto.send_ping(self._ping)
        self._flush_protocol()
        self._timer = asyncio.get_running_loop().call_later(
            self._settings.ping_timeout, self._pong_missing
        )

    def _pong_missing(self) -> None:
        self._timer = None
        log.info("no pong: dropping participant=%s", self.label)
        self._gone(1006)
        if self.proto.state is State.OPEN:
            self.proto.fail(codes.INTERNAL_ERROR, "keepalive ping timeout")
            self._flush_protocol()  # the close frame, then the TCP close
        self._timer = asyncio.get_running_loop().call_later(FLUSH_TIMEOUT_S, self._abort)

    def _abort(self) -> None:
        self._timer = None
        if self._transport is not None and not self._transport.is_closing():
            log.warning("aborted unresponsive connection participant=%s", self.label)
        if self._transport is not None:
            self._transport.abort()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _add_security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
