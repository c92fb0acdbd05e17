"""Plain HTTP requests against a ServerProcess, with status, headers and body."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.support.server import ServerProcess


def request(server: ServerProcess, method: str, path: str, body: Any = None,
            token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def rotate(server: ServerProcess, session_id: str, token: str) -> tuple[int, dict[str, Any]]:
    status, _, body = request(server, "POST", f"/api/sessions/{session_id}/invite", token=token)
    return status, json.loads(body)
