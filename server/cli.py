"""``intervisiebord serve`` and the other commands."""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from server.app import create_app, open_attendance
from server.config import Settings, add_arguments, settings_from
from server.hub.connection import Connection
from server.retention import purge_attendance, purge_expired
from server.store.sqlite import SqliteStore

EVENT_LOOPS = ("auto", "uvloop", "asyncio")


def uvicorn_config(settings: Settings) -> uvicorn.Config:
    if settings.event_loop not in EVENT_LOOPS:
        raise SystemExit(f"--event-loop: one of {', '.join(EVENT_LOOPS)}, "
                         f"not {settings.event_loop!r}")
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        ws=Connection,  # message size, keepalive: from ``settings``; no compression
        loop=settings.event_loop,
        log_level=settings.log_level,
        lifespan="on",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="intervisiebord", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="run the board server (embedded: SQLite, one process)"
    )
    add_arguments(serve)
    purge = commands.add_parser(
        "purge",
        help="delete the sessions closed longer ago than --retention-days (the server "
        "also does this hourly)",
    )
    add_arguments(purge)
    commands.add_parser("schema", help="write the generated protocol files (in a checkout)")
    args = parser.parse_args(argv)
    match args.command:
        case "serve":
            settings = settings_from(args)
            logging.basicConfig(level=settings.log_level.upper())
            uvicorn.Server(uvicorn_config(settings)).run()
        case "purge":
            settings = settings_from(args)
            logging.basicConfig(level=settings.log_level.upper())
            deleted, records = asyncio.run(_purge(settings))
            print(f"deleted {deleted} closed session(s) older than {settings.retention_days} days")
            print(f"deleted {records} attendance record(s) older than "
                  f"{settings.attendance_retention_days} days")
        case "schema":
            from shared_schema.generate import main as write_generated

            write_generated([])


async def _purge(settings: Settings) -> tuple[int, int]:
    store = SqliteStore(settings.database)
    attendance = open_attendance(settings)
    try:
        deleted = await purge_expired(store, None, settings.retention_days)
        records = await purge_attendance(attendance, settings.attendance_retention_days)
        return deleted, records
    finally:
        await store.close()
        await attendance.close()


if __name__ == "__main__":
    main()
