from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import REDIS_KINDS
from tests.support.redis import DEFAULT_URL, answers, delete_prefix, own_redis
from tests.support.redis_cluster import own_redis_cluster
from tests.support.server import ServerProcess
from tests.support.storage import Storage


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server subprocess on a free port with its own data folder."""
    proc = ServerProcess(tmp_path / "data").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL if set, else the Redis on 127.0.0.1:6379 if it answers, else a
    redis-server started for this test run. Use it only with ``redis_prefix``."""
    url = os.environ.get("REDIS_URL") or (DEFAULT_URL if answers(DEFAULT_URL) else "")
    if url:
        yield url
        return
    with own_redis(tmp_path_factory.mktemp("redis")) as own:
        yield own.url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"ibtest-{secrets.token_hex(6)}"
    try:
        yield prefix
    finally:
        delete_prefix(redis_url, prefix)


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis+cluster://`` of a 3-master, 3-replica Redis Cluster started for this
    test run (shared: use it only with ``cluster_prefix``; a test that kills nodes
    starts a cluster of its own)."""
    with own_redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as servers:
        yield servers.url


@pytest.fixture
def cluster_prefix(redis_cluster_url: str) -> Iterator[str]:
    prefix = f"ibtest-{secrets.token_hex(6)}"
    try:
        yield prefix
    finally:
        delete_prefix(redis_cluster_url, prefix)


@pytest.fixture(params=REDIS_KINDS)
def redis_kind(request: pytest.FixtureRequest) -> str:
    """A multi-hub test body runs against a redis-server and a Redis Cluster of its own."""
    return str(request.param)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis),
                        pytest.param("cluster", marks=pytest.mark.redis)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each store/backplane test body runs against SQLite + memory, real Redis and a
    real Redis Cluster."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return Storage("redis", tmp_path, url, request.getfixturevalue("redis_prefix"))
    if request.param == "cluster":
        url = request.getfixturevalue("redis_cluster_url")
        return Storage("redis", tmp_path, url, request.getfixturevalue("cluster_prefix"))
    return Storage("memory", tmp_path)
