"""The deployment files agree with the code: every variable they set is a real
setting, Redis keeps an AOF, the hubs are switched to Redis. (nginx.conf itself is
run by the multi-hub tests.)"""

from __future__ import annotations

import re
from dataclasses import fields

from server.config import ENV_PREFIX, Settings
from tests.support.server import ROOT

DEPLOY = ROOT / "deploy"


def test_every_variable_in_the_deployment_is_a_setting() -> None:
    known = {ENV_PREFIX + spec.name.upper() for spec in fields(Settings)}
    used = set()
    for name in ("compose.yaml", "Dockerfile"):
        used |= set(re.findall(rf"\b{ENV_PREFIX}[A-Z_]+", (DEPLOY / name).read_text()))
    assert used, "the deployment sets no variables?"
    assert used <= known, f"unknown settings: {sorted(used - known)}"


def test_compose_runs_redis_with_aof_and_hubs_on_redis() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    command = re.search(r'command: \[("redis-server".*?)\]', compose, re.S)
    assert command is not None
    args = re.findall(r'"([^"]*)"', command.group(1))
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--appendfsync") + 1] == "everysec"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    assert "INTERVISIEBORD_REDIS_URL: redis://redis:6379/0" in compose
    assert re.search(r"^  hub2: \*hub$", compose, re.M)
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'CMD ["intervisiebord", "serve"]' in dockerfile


def test_image_installs_the_locked_runtime_and_the_wheel_not_the_tree() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--require-hashes --no-deps -r /tmp/run.lock" in dockerfile
    assert "pip wheel" in dockerfile and "/dist/*.whl" in dockerfile
    assert " -e " not in dockerfile
    lock = (ROOT / "requirements" / "run.lock").read_text()
    for package in ("starlette", "uvicorn", "websockets", "msgspec", "fpdf2", "redis"):
        assert re.search(rf"^{package}==", lock, re.M), package
