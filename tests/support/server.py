"""Run the real server as a subprocess (uvicorn, SQLite) for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STARTED = "Uvicorn running on"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``intervisiebord serve`` on a free port; output is kept in ``self.output``."""

    def __init__(self, data_dir: Path, port: int | None = None, *args: str,
                 env: dict[str, str] | None = None, redis_url: str | None = None,
                 redis_prefix: str | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        if redis_url:
            args = (*args, "--redis-url", redis_url)
        if redis_prefix:
            args = (*args, "--redis-prefix", redis_prefix)
        self.args = args
        self.env = env or {}
        self.output: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self._started = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        self._started.clear()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._pump_thread = threading.Thread(target=self._pump, args=(self.proc,), daemon=True)
        self._pump_thread.start()
        if not self._started.wait(timeout):
            self.stop()
            raise RuntimeError("server did not start:\n" + "".join(self.output))
        return self

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self.output.append(line)
                if STARTED in line:
                    self._started.set()

    def _reap(self) -> None:
        self._pump_thread.join(10)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self._reap()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
            self._reap()

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST",
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    def create_session(self, method: str = "tienstappen", title: str = "Casus",
                       language: str = "nl") -> Session:
        status, body = self.post("/api/sessions",
                                 {"title": title, "method": method, "language": language})
        assert status == 201, body
        return Session(body["session_id"], body["facilitator_link"].split("#k=")[1],
                       body["invite_link"].split("#k=")[1])


class Session:
    def __init__(self, session_id: str, facilitator_token: str, invite_token: str) -> None:
        self.id = session_id
        self.facilitator_token = facilitator_token
        self.invite_token = invite_token
