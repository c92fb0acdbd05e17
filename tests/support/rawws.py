"""A bare websocket client on a plain socket, for clients that misbehave on purpose.

Nothing is read from the socket unless the test asks (``read_frame``), and pings
are never answered: with a small receive buffer this is a client that stops
reading, and one that never pongs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
from typing import Any

OP_TEXT, OP_CLOSE, OP_PING = 0x1, 0x8, 0x9


class RawClient:
    def __init__(self, port: int, path: str, *, rcvbuf: int | None = None) -> None:
        self.port = port
        self.path = path
        self.rcvbuf = rcvbuf
        self.sock: socket.socket | None = None
        self._buffer = b""

    @property
    def local_port(self) -> int:
        assert self.sock is not None
        return int(self.sock.getsockname()[1])

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket()
        if self.rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", self.port))
        self.sock = sock
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Origin: http://127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        while b"\r\n\r\n" not in self._buffer:
            chunk = await loop.sock_recv(sock, 4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self._buffer += chunk
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(head.decode(errors="replace"))

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send_frame(OP_TEXT, json.dumps(message).encode())

    async def send_frame(self, opcode: int, payload: bytes) -> None:
        assert self.sock is not None
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 2**16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        await asyncio.get_running_loop().sock_sendall(self.sock, header + mask + masked)

    async def _fill(self, size: int) -> bool:
        assert self.sock is not None
        loop = asyncio.get_running_loop()
        while len(self._buffer) < size:
            try:
                chunk = await loop.sock_recv(self.sock, 65536)
            except ConnectionError:
                return False
            if not chunk:
                return False
            self._buffer += chunk
        return True

    async def read_frame(self) -> tuple[int, bytes] | None:
        """The next frame (opcode, payload), or None at end of stream."""
        if not await self._fill(2):
            return None
        first, second = self._buffer[0], self._buffer[1]
        length, offset = second & 0x7F, 2
        if length == 126:
            if not await self._fill(4):
                return None
            length, offset = struct.unpack("!H", self._buffer[2:4])[0], 4
        elif length == 127:
            if not await self._fill(10):
                return None
            length, offset = struct.unpack("!Q", self._buffer[2:10])[0], 10
        if not await self._fill(offset + length):
            return None
        payload = self._buffer[offset:offset + length]
        self._buffer = self._buffer[offset + length:]
        return first & 0x0F, payload

    async def read_until_close(self) -> tuple[int | None, list[tuple[int, bytes]]]:
        """Read everything up to the close frame: (close code or None at EOF, frames)."""
        frames = []
        while (frame := await self.read_frame()) is not None:
            frames.append(frame)
            if frame[0] == OP_CLOSE:
                return struct.unpack("!H", frame[1][:2])[0], frames
        return None, frames

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
