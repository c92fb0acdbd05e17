"""The README's run command serves the app on the embedded default."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from tests.support.server import ROOT, STARTED, free_port


def test_scripts_serve_runs_on_sqlite_with_no_external_service(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve"), "--port", str(port), "--data-dir", str(data)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
    )
    started = threading.Event()
    output: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                output.append(line)
                if STARTED in line:
                    started.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert started.wait(60), "".join(output)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            health = json.load(response)
            assert health["status"] == "ok"
            assert health["event_loop"] == "uvloop"  # installed from the lock, chosen by auto
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/sessions", method="POST",
            data=json.dumps({"title": "Proef", "method": "tienstappen"}).encode())
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
        assert (data / "intervisiebord.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(15)
        reader.join(10)


def test_serve_refuses_an_unknown_event_loop(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(free_port()),
         "--data-dir", str(tmp_path), "--event-loop", "tokio"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "--event-loop: one of auto, uvloop, asyncio, not 'tokio'" in done.stderr
