"""A second run of the set-up needs no registry: with the venv matching the lock, the
install step of scripts/test and scripts/serve does nothing, even with no network at all
(a network namespace of its own, where only loopback exists)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def offline(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["unshare", "--net", "bash", "-c", command],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="module")
def namespaces() -> None:
    if os.environ.get("INTERVISIEBORD_NEWEST") == "1":
        pytest.skip("scripts/upgrade-check runs unlocked versions: no stamp to match")
    if shutil.which("unshare") is None or offline("true").returncode != 0:
        pytest.skip("no network namespaces here (unshare --net needs root)")


@pytest.mark.usefixtures("namespaces")
def test_no_network_inside_the_namespace() -> None:
    probe = offline(
        "python3 -c \"import socket; socket.create_connection(('pypi.org', 443), 3)\""
    )
    assert probe.returncode != 0


@pytest.mark.usefixtures("namespaces")
def test_set_up_of_a_matching_venv_installs_nothing_and_needs_no_network() -> None:
    result = offline("set -euo pipefail; source scripts/lib/venv.sh; ensure_venv; "
                     "\"$VENV/bin/python\" -c 'import server.app'")
    assert result.returncode == 0, result.stderr
    assert "installing" not in result.stdout


@pytest.mark.usefixtures("namespaces")
def test_type_check_of_web_runs_offline_once_node_modules_exist() -> None:
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules not installed (scripts/test installs it)")
    result = offline("npx --no-install tsc --version")
    assert result.returncode == 0, result.stderr
