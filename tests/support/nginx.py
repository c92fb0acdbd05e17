"""Debian's nginx on loopback, configured from deploy/nginx.conf, in front of hubs.

The deployment's own config is used: only the listen address, the upstream
addresses and the process paths are replaced, so the test exercises its
websocket upgrade and fail-over settings.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.support.server import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 10.0


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf should contain {old!r} once"
    return text.replace(old, new)


class NginxProcess:
    def __init__(self, directory: Path, upstream_ports: list[int]) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def config(self) -> str:
        text = (ROOT / "deploy" / "nginx.conf").read_text()
        main = [f"worker_processes 1;\ndaemon off;\npid {self.dir}/nginx.pid;",
                f"error_log {self.dir}/error.log warn;"]
        if os.geteuid() == 0:
            main.append(f"user {pwd.getpwuid(0).pw_name};")
        text = _replace_once(text, "worker_processes auto;", "\n".join(main))
        text = _replace_once(text, "listen 80;", f"listen 127.0.0.1:{self.port};")
        for n, port in enumerate(self.upstream_ports, start=1):
            text = _replace_once(text, f"server hub{n}:8000", f"server 127.0.0.1:{port}")
        temp = "\n".join(f"    {kind}_temp_path {self.dir}/{kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return _replace_once(text, "http {", "http {\n" + temp)

    def start(self) -> NginxProcess:
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config())
        self.proc = subprocess.Popen([NGINX, "-p", str(self.dir), "-c", str(conf), "-e", "stderr"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                assert self.proc.stderr is not None
                raise RuntimeError("nginx did not start: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("nginx did not listen in time") from None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stderr is not None:
            self.proc.stderr.close()
