"""The Starlette application factory; ``lifespan`` owns store, backplane and hub.

The app serves HTTP. Websocket upgrades (``/ws/{session_id}``) are served below ASGI
by ``server.hub.connection.Connection``, uvicorn's websocket protocol here
(``server.cli.uvicorn_config``); it finds the hub in the lifespan state.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from server import api
from server.attendance import http as attendance_http
from server.attendance.recorder import Recorder
from server.attendance.store import AttendanceStore
from server.audit import log as audit_log
from server.audit import open_audit_file
from server.backplane.base import Backplane
from server.backplane.memory import MemoryBackplane
from server.config import Settings
from server.exports import http as exports_http
from server.groups import api as groups_api
from server.groups.store import GROUPS_FILE, GroupStore, SqliteGroupStore
from server.hub.connection import SERVICES_KEY, Connection, Wiring
from server.hub.endpoint import serve
from server.hub.handshake import route
from server.hub.hub import Hub
from server.logs import redact_frames
from server.methods import http as methods_http
from server.methods.loader import load_methods
from server.retention import sweeping
from server.security import SecurityHeaders
from server.store.base import Store
from server.store.methods import MethodStore
from server.store.sqlite import SqliteStore


def wiring(hub: Hub, settings: Settings) -> Wiring:
    """New websocket connections: accepted by ``route``, then served by the endpoint."""

    def serve_connection(conn: Connection, session_id: str) -> Coroutine[Any, Any, None]:
        return serve(conn, session_id, hub=hub, settings=settings)

    return Wiring(settings, lambda request: route(request, settings), serve_connection)


def web_dir() -> Path:
    """The browser client: ``web/`` beside ``server/`` in a checkout (or an editable
    install), else the ``intervisiebord_web`` data package an installed wheel holds."""
    checkout = Path(__file__).resolve().parent.parent / "web"
    if (checkout / "index.html").is_file():
        return checkout
    spec = importlib.util.find_spec("intervisiebord_web")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the web client is missing: reinstall intervisiebord")
    return Path(next(iter(spec.submodule_search_locations)))


WEB_DIR = web_dir()


def open_storage(settings: Settings) -> tuple[Store, Backplane]:
    """Redis for both when ``--redis-url`` is set (several hubs), else SQLite and the
    in-process backplane (the embedded default)."""
    if settings.redis_url:
        from server.backplane.redis import RedisBackplane
        from server.store.redis import RedisStore

        return (
            RedisStore(settings.redis_url, settings.redis_prefix),
            RedisBackplane(settings.redis_url, settings.redis_prefix,
                           settings.redis_replica_wait_ms),
        )
    sqlite = SqliteStore(settings.database)
    return sqlite, MemoryBackplane(sqlite)


def open_group_store(settings: Settings) -> GroupStore:
    """The groups' records beside the sessions: Redis with ``--redis-url``, else their
    own SQLite file in the data folder."""
    if settings.redis_url:
        from server.groups.redis_store import RedisGroupStore

        return RedisGroupStore(settings.redis_url, settings.redis_prefix)
    return SqliteGroupStore(settings.data_dir / GROUPS_FILE)
def open_method_store(settings: Settings) -> MethodStore:
    """Methods made in the editor: Redis with several hubs, else their own SQLite file."""
    if settings.redis_url:
        from server.store.methods_redis import RedisMethodStore

        return RedisMethodStore(settings.redis_url, settings.redis_prefix)
    from server.store.methods_sqlite import SqliteMethodStore

    return SqliteMethodStore(settings.data_dir / "methods.sqlite3")


def open_attendance(settings: Settings) -> AttendanceStore:
    """The attendance record's own storage: Redis keys of its own with several hubs,
    else its own SQLite file in the data folder."""
    if settings.redis_url:
        from server.attendance.redis import RedisAttendance

        return RedisAttendance(settings.redis_url, settings.redis_prefix)
    from server.attendance.sqlite import SqliteAttendance

    return SqliteAttendance(settings.attendance_database)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    redact_frames()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store, backplane = open_storage(settings)
        await backplane.start()
        attendance = open_attendance(settings)
        hub = Hub(backplane, store, snapshot_every=settings.snapshot_every,
                  attendance=Recorder(attendance))
        hub.start()
        app.state.settings = settings
        extra = [settings.methods_dir] if settings.methods_dir else []
        app.state.methods = load_methods(extra)
        app.state.plain_methods = load_methods(extra, framed=False)
        app.state.store = store
        app.state.groups = open_group_store(settings)
        app.state.method_store = method_store = open_method_store(settings)
        app.state.attendance = attendance
        app.state.hub = hub
        app.state.export_gate = asyncio.Semaphore(exports_http.RENDERS_AT_ONCE)
        audit_file = open_audit_file(settings.audit_log) if settings.audit_log else None
        # everything loaded so far (modules, methods) lives as long as the process:
        # keep it out of the cyclic collector, whose full passes pause every room
        gc.freeze()
        try:
            async with sweeping(store, hub, settings.retention_days, attendance,
                                settings.attendance_retention_days):
                yield {SERVICES_KEY: wiring(hub, settings)}
        finally:
            await hub.close()
            await backplane.close()
            await store.close()
            await app.state.groups.close()
            await method_store.close()
            await attendance.close()
            if audit_file is not None:
                audit_log.removeHandler(audit_file)
                audit_file.close()

    async def page(request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html")

    routes = [
        Route("/healthz", api.healthz),
        Route("/api/sessions", api.create_session, methods=["POST"]),
        Route("/api/sessions/{session_id}", exports_http.delete, methods=["DELETE"]),
        Route("/api/sessions/{session_id}/export/{fmt}", exports_http.export),
        Route("/api/sessions/{session_id}/invite", api.rotate_invite, methods=["POST"]),
        *attendance_http.routes(),
        Route("/api/methods", api.list_methods),
        Route("/api/methods/check", methods_http.check, methods=["POST"]),
        Route("/api/methods/preview", methods_http.preview_step, methods=["POST"]),
        Route("/api/methods/export", methods_http.export_edited, methods=["POST"]),
        Route("/api/methods/{method_id}/export", methods_http.export_installed),
        Route("/api/saved-methods", methods_http.list_saved),
        Route("/api/saved-methods", methods_http.create_saved, methods=["POST"]),
        Route("/api/saved-methods/{saved_id}", methods_http.get_saved),
        Route("/api/saved-methods/{saved_id}", methods_http.update_saved, methods=["PUT"]),
        Route("/api/saved-methods/{saved_id}", methods_http.delete_saved, methods=["DELETE"]),
        Route("/api/saved-methods/{saved_id}/publish", methods_http.publish_saved,
              methods=["POST"]),
        Route("/api/saved-methods/{saved_id}/export", methods_http.export_saved),
        Route("/api/methods/{method_id}", api.get_method),
        Route("/", page),
        Route("/s/{session_id}", page),
        Route("/g/{group_id}", page),
        *groups_api.ROUTES,
        Route("/methods/edit", page),
        Mount("/static", StaticFiles(directory=WEB_DIR), name="static"),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
