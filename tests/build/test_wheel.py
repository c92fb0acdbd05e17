"""The product installs as a wheel: built from this checkout, installed into a
throwaway venv outside it, ``intervisiebord serve`` serves the start page, a board
page, a static module and the methods without the checkout on the path."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

from tests.support.server import STARTED, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built without network: the build backend comes from the locked venv."""
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)],
        check=True, cwd=out, capture_output=True, text=True,
    )
    log = build.stdout + build.stderr
    # the build backend's own warnings (deprecated settings, ambiguous packages)
    assert not re.search(r"Deprecat|BuildBackendWarning|SetuptoolsWarning", log), log
    (built,) = out.glob("intervisiebord-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv outside the checkout with the wheel installed; its dependencies come
    from the test venv through a path file (so no registry is needed), which puts no
    editable finder of the checkout on the path."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    (Path(site) / "deps-from-test-venv.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         str(wheel)],
        check=True, capture_output=True, text=True,
    )
    return venv


def test_every_package_of_the_tree_is_in_the_wheel_list() -> None:
    """pyproject lists the packages by hand (web/ is mapped into one); a new package
    that is not listed would be missing from the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        name for name in find_namespace_packages(str(ROOT), include=["server*", "shared_schema*"])
        if "__pycache__" not in name
    }
    assert found <= listed
    web_dirs = {
        "intervisiebord_web" + ("." + p.name if p != ROOT / "web" else "")
        for p in [ROOT / "web", *(d for d in (ROOT / "web").iterdir() if d.is_dir())]
    }
    assert web_dirs <= listed


def test_wheel_holds_the_web_client_and_the_method_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("intervisiebord_web/index.html", "intervisiebord_web/js/app.js",
                     "intervisiebord_web/i18n/nl.json", "intervisiebord_web/css/app.css",
                     "server/methods/frame.toml", "server/methods/data/tienstappen.toml",
                     "shared_schema/schema.json"):
        assert expected in names


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVISIEBORD_")}
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen(
        [str(installed / "bin" / "intervisiebord"), "serve", "--port", str(port),
         "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert proc.stdout is not None
    output: list[str] = []
    try:
        for line in proc.stdout:  # until uvicorn says it listens (or the process ends)
            output.append(line)
            if STARTED in line:
                break
        assert proc.poll() is None, "".join(output)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_installed_wheel_serves_start_page_board_and_static_files(
    served: str, installed: Path
) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import server; print(server.__file__)"],
        check=True, capture_output=True, text=True, cwd=installed,
    ).stdout
    assert where.startswith(str(installed)), where
    status, body = get(served + "/")
    assert status == 200 and b"<html" in body.lower()
    request = urllib.request.Request(
        served + "/api/sessions", method="POST",
        data=json.dumps({"title": "Wheel", "method": "tienstappen"}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        session = json.loads(response.read())
    status, body = get(f"{served}/s/{session['session_id']}")
    assert status == 200 and b"<html" in body.lower()
    status, body = get(served + "/static/js/app.js")
    assert status == 200 and b"import" in body
    status, body = get(served + "/api/methods")
    assert status == 200 and b"tienstappen" in body
