"""The benchmark in miniature, inside the normal test run.

Tiny loads against real servers with real websocket clients. It fails on any
correctness error (a gap, duplicate, reorder or lost op at any client), never on
speed. Without Redis (or without ``--redis-url`` in the server) it runs only the
embedded hub and the raw peer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.bench import systems
from tests.bench.__main__ import correctness_errors
from tests.bench.clients import RawMember, Tally
from tests.bench.runner import Generator, Sizes, run_kill, run_rates

SIZES = dataclasses.replace(Sizes.smoke(), duration=0.8, warmup=0.2, drain_timeout=1.5,
                            kill_after=1.0)


@pytest.fixture(scope="module")
def gen() -> Iterator[Generator]:
    """The load generator's worker processes, shared by this module's runs."""
    workers = Generator(SIZES.workers)
    try:
        yield workers
    finally:
        workers.close()


def _assert_correct(result: dict[str, Any]) -> None:
    examples = result.get("examples", []) + [e for s in result.get("steps", [])
                                             for e in s["examples"]]
    assert correctness_errors([result]) == [], examples
    every = [result.get("errors", {}), result.get("setup_errors", {})] + \
        [s["errors"] for s in result.get("steps", [])]
    assert all(errors == {} for errors in every), (every, examples)
    for step in result.get("steps", []):
        assert step["ops"] > 0
        assert step["deliveries"] == step["ops"] * result["size"], "an op missed a member"


@pytest.mark.timeout(60)
def test_embedded_hub_and_raw_peer_deliver_every_op_once_in_order(gen: Generator) -> None:
    for system in ("intervisiebord", "raw"):
        _assert_correct(run_rates(system, "one", "A", SIZES, gen=gen))
    _assert_correct(run_rates("intervisiebord", "one", "B", SIZES, gen=gen))


@pytest.mark.timeout(60)
def test_the_harness_notices_a_withheld_message(gen: Generator) -> None:
    result = run_rates("raw", "one", "A", SIZES, extra_args=("--drop-every", "7"), gen=gen)
    errors = result["steps"][0]["errors"]
    assert errors.get("lost", 0) > 0, errors
    assert not result["steps"][0]["sustained"]


def test_each_sender_is_checked_for_duplicates_and_reorder() -> None:
    tally = Tally()
    member = RawMember(tally, [0], 0, "room", 2, 0)
    for n in (1, 2, 2, 4, 3):
        member._on_text(f"b 1 {n} 0", 0)
    assert tally.errors == {"duplicate_or_reorder": 2, "gap": 1}
    assert member.received() == 4


@pytest.mark.redis
@pytest.mark.timeout(90)
def test_two_hubs_with_redis_and_a_killed_hub(gen: Generator) -> None:
    if not systems.redis_available():
        pytest.skip("no redis-server")
    if not systems.server_supports_redis():
        pytest.skip("server has no --redis-url")
    _assert_correct(run_rates("intervisiebord", "two", "A", SIZES, gen=gen))
    result = run_kill(SIZES, gen=gen)
    _assert_correct(result)
    assert result["converged"] and result["lost"] == 0 and result["reconnects"] > 0, result


def test_the_commit_cost_table_prints_a_row_per_batch_size(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m tests.bench.commitcost`` at tiny sizes: a row per ops-per-commit and
    pause, every commit written."""
    from tests.bench import commitcost

    monkeypatch.setattr("sys.argv", ["commitcost", "--commits", "20", "--rows", "1,3"])
    commitcost.main()
    rows = [line for line in capsys.readouterr().out.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    assert [row.split("|")[1:3] for row in rows] == [
        [" 1 ", " 0.0 ms "], [" 1 ", " 0.5 ms "], [" 3 ", " 0.0 ms "], [" 3 ", " 0.5 ms "]]
    assert all(row.split("|")[-2].strip() == "0" for row in rows)  # nothing found locked
