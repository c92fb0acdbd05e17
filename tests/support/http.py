"""Plain HTTP calls against a ServerProcess, with the link token as a bearer header."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.support.server import ServerProcess


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def request(server: ServerProcess, method: str, path: str, token: str | None = None,
            body: Any = None) -> Answer:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                          response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


def export(server: ServerProcess, session_id: str, token: str | None, fmt: str) -> Answer:
    return request(server, "GET", f"/api/sessions/{session_id}/export/{fmt}", token)


def delete(server: ServerProcess, session_id: str, token: str | None) -> Answer:
    return request(server, "DELETE", f"/api/sessions/{session_id}", token)


def exchange(server: ServerProcess, method: str, path: str, body: Any = None,
             token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """``request`` as a (status, headers, body) tuple."""
    answer = request(server, method, path, token, body)
    return answer.status, answer.headers, answer.body


def rotate(server: ServerProcess, session_id: str, token: str) -> tuple[int, dict[str, Any]]:
    answer = request(server, "POST", f"/api/sessions/{session_id}/invite", token)
    return answer.status, answer.json()
