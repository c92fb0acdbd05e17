"""Settings: each one a CLI flag and an environment variable of the same name.

``--data-dir`` is also ``INTERVISIEBORD_DATA_DIR``; the flag wins over the variable.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "INTERVISIEBORD_"


@dataclass(frozen=True)
class Settings:
    host: str = field(default="127.0.0.1", metadata={"help": "address to listen on"})
    port: int = field(default=8000, metadata={"help": "TCP port to listen on"})
    data_dir: Path = field(
        default=Path("data"), metadata={"help": "folder for the SQLite database"}
    )
    allowed_origin: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "extra Origin allowed to open websockets (repeatable; "
            "comma-separated in the variable); the server's own origin is always allowed"
        },
    )
    public_url: str = field(
        default="", metadata={"help": "base URL used in links (default: from the request)"}
    )
    methods_dir: Path | None = field(
        default=None, metadata={"help": "folder with extra method files (*.toml)"}
    )
    publish_methods: bool = field(
        default=False,
        metadata={
            "help": "let members publish the methods they make in the editor for everyone "
            "on this installation (true/false)"
        },
    )
    queue_size: int = field(
        default=1024,
        metadata={
            "help": "outbound frames buffered per connection before it "
            "is closed as a slow consumer (4008)"
        },
    )
    rate_per_s: float = field(
        default=40.0, metadata={"help": "messages per second a connection may send on average"}
    )
    rate_burst: float = field(
        default=200.0, metadata={"help": "messages a connection may send in one burst"}
    )
    max_message: int = field(
        default=64 * 1024, metadata={"help": "largest websocket message in bytes (close 1009)"}
    )
    ping_interval: float = field(default=20.0, metadata={"help": "seconds between websocket pings"})
    ping_timeout: float = field(
        default=20.0, metadata={"help": "seconds to wait for a pong before dropping a client"}
    )
    snapshot_every: int = field(
        default=500,
        metadata={"help": "ops between snapshots of a session (each session takes its own "
                  "interval of 1x to 1.5x this, so sessions do not snapshot at once)"}
    )
    retention_days: float = field(
        default=30.0,
        metadata={
            "help": "days a closed session is kept before it is deleted everywhere "
            "(checked at start and hourly; 0 deletes closed sessions at the next check)"
        },
    )
    attendance_retention_days: float = field(
        default=1826.0,
        metadata={
            "help": "days the attendance record of a session (names, times, roles, "
            "confirmations; no content) is kept after its close, apart from the content "
            "(default 5 years, a register's usual period)"
        },
    )
    attendance_grace_seconds: float = field(
        default=60.0,
        metadata={
            "help": "gaps between a member's connections up to this long count as "
            "presence on the attendance list (a reconnect); set it alike on every hub"
        },
    )
    audit_log: Path | None = field(
        default=None,
        metadata={
            "help": "file that also receives the audit trail of privileged actions "
            "(always logged on the intervisiebord.audit logger)"
        },
    )
    log_level: str = field(default="info", metadata={"help": "debug, info, warning, error"})
    event_loop: str = field(
        default="auto",
        metadata={
            "help": "auto (uvloop, part of the install, where it can be imported), uvloop "
            "or asyncio (the standard library's loop)"
        },
    )
    redis_url: str = field(
        default="",
        metadata={
            "help": "redis://host:port/db: run as one of several hubs with Redis as "
            "backplane and store (default: embedded, SQLite, one process); "
            "redis+cluster://host:port[,host:port...] names seed nodes of a Redis "
            "Cluster (7 or newer; rediss:// and rediss+cluster:// for TLS)"
        },
    )
    redis_replica_wait_ms: int = field(
        default=1000,
        metadata={
            "help": "where the session's Redis master has a replica (a cluster with "
            "replicas), acknowledge an op only after a replica confirmed it (WAIT 1), "
            "waiting at most this long (else the op is answered 'unavailable' and "
            "resent); 0 acknowledges without waiting"
        },
    )
    redis_prefix: str = field(
        default="ib", metadata={"help": "prefix of every Redis key and channel of this product"}
    )

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(self.allowed_origin)

    @property
    def database(self) -> Path:
        return self.data_dir / "intervisiebord.sqlite3"

    @property
    def attendance_database(self) -> Path:
        """The attendance record's own file: another lifetime than the content."""
        return self.data_dir / "attendance.sqlite3"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _env(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _convert(kind: Any, raw: str) -> Any:
    text = str(kind)
    if "bool" in text:
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"not a yes/no value: {raw!r}")
    if "tuple" in text:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if "Path" in text:
        return Path(raw)
    if "int" in text:
        return int(raw)
    if "float" in text:
        return float(raw)
    return raw


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for spec in fields(Settings):
        help_text = f"{spec.metadata['help']} [env {_env(spec.name)}; default {spec.default!r}]"
        if "tuple" in str(spec.type):
            parser.add_argument(_flag(spec.name), action="append", help=help_text)
        else:
            parser.add_argument(_flag(spec.name), help=help_text)


def settings_from(
    args: argparse.Namespace | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Flags first, then environment variables, then defaults."""
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    for spec in fields(Settings):
        given = getattr(args, spec.name, None) if args is not None else None
        if isinstance(given, list):
            values[spec.name] = tuple(p.strip() for g in given for p in g.split(",") if p.strip())
        elif given is not None:
            values[spec.name] = _convert(spec.type, given)
        elif _env(spec.name) in environ:
            values[spec.name] = _convert(spec.type, environ[_env(spec.name)])
    return Settings(**values)
