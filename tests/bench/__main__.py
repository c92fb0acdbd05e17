"""``python -m tests.bench``: run the benchmark and write docs/benchmarks.md and .png.

See tests/bench/README.md for the loads, the options and what is measured.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench import report, runner, systems
from tests.bench.clients import CLOSED

ALL_LOADS = ("A", "B", "C", "kill")


def run_all(sizes: runner.Sizes, system_names: list[str], topologies: list[str],
            loads: list[str]) -> list[dict[str, Any]]:
    """Every selected (load, system, topology); skipped ones say why."""
    results: list[dict[str, Any]] = []
    for load in loads:
        pairs = [("intervisiebord", "two")] if load == "kill" else \
            [(s, t) for t in topologies for s in system_names]
        for system, topology in pairs:
            print(f"== load {load}: {system} ({topology})", flush=True)
            try:
                match load:
                    case "A" | "B":
                        results.append(runner.run_rates(system, topology, load, sizes))
                    case "C":
                        results.append(runner.run_idle(system, topology, sizes))
                    case "kill":
                        results.append(runner.run_kill(sizes))
            except systems.Skipped as skip:
                print(f"  {skip}", flush=True)
                results.append({"system": system, "topology": topology, "load": load,
                                "skipped": str(skip)})
            except Exception as exc:  # one broken run must not lose the others' figures
                print(f"  failed: {exc}", flush=True)
                results.append({"system": system, "topology": topology, "load": load,
                                "skipped": f"failed: {exc}"[:300],
                                "errors": {"run_failed": 1}})
    return results


def correctness_errors(results: list[dict[str, Any]]) -> list[str]:
    """Every correctness error of the run, one line per (result, kind).

    In a step where the server closed connections (e.g. 4008, slow consumer: the
    load generator fell behind), the closes and the ops those clients then missed
    are overload, not wrong delivery: they are reported in the tables, not here.
    """
    lines = []
    for r in results:
        groups = [r.get("errors", {}), r.get("setup_errors", {})] + \
            [s["errors"] for s in r.get("steps", [])]
        for errors in groups:
            overloaded = any(kind.startswith(CLOSED) for kind in errors)
            for kind, count in errors.items():
                if overloaded and (kind.startswith(CLOSED) or kind == "lost"):
                    continue
                lines.append(f"{r['system']}/{r['topology']} load {r['load']}: {kind} x{count}")
    return lines


def profile(seconds: float, sizes: runner.Sizes, out: Path, topology: str = "one") -> str:
    """py-spy on the first hub while load A runs; returns the top frames."""
    dep = systems.start("intervisiebord", topology)
    gen = runner.Generator(sizes.workers)
    raw = out.with_suffix(".txt")
    try:
        rooms = runner.make_rooms(dep, sizes.a_sessions, sizes.a_size, prepare=True)
        runner._connect(gen, dep, rooms, sizes, with_items=True)
        spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record",
                                "--pid", str(dep.hubs[0].pid), "--duration", str(int(seconds)),
                                "--format", "raw", "--rate", "200", "-o", str(raw)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        steps = dataclasses.replace(sizes, duration=seconds, warmup=0.0)
        runner.rate_step(gen, dep, sizes.a_rate, sizes.a_sessions * sizes.a_size, steps)
        spy.wait(seconds + 30)
    finally:
        gen.close()
        systems.cleanup(dep)
    print(f"py-spy collapsed stacks: {raw}")
    return top_frames(raw)


def top_frames(raw: Path, count: int = 40) -> str:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        samples = int(n)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + samples
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
    lines = [f"{total} samples", "", "self:"]
    lines += [f"{100 * v / total:5.1f}% {k}" for k, v in
              sorted(own.items(), key=lambda kv: -kv[1])[:count]]
    lines += ["", "inclusive:"]
    lines += [f"{100 * v / total:5.1f}% {k}" for k, v in
              sorted(inclusive.items(), key=lambda kv: -kv[1])[:count]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    defaults = runner.Sizes()
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes for every load (seconds, not minutes)")
    parser.add_argument("--systems", default=",".join(systems.SYSTEMS),
                        help="comma-separated: intervisiebord, raw, socketio, node")
    parser.add_argument("--topologies", default=",".join(systems.TOPOLOGIES),
                        help="comma-separated: one (one process), two (two + Redis, each "
                        "session spread over both), affinity (two + Redis, each session "
                        "on one hub), one-redis (one hub + Redis)")
    parser.add_argument("--loads", default=",".join(ALL_LOADS),
                        help="comma-separated: A, B, C, kill")
    for spec in dataclasses.fields(runner.Sizes):
        parser.add_argument("--" + spec.name.replace("_", "-"), type=type(spec.default),
                            default=None, help=f"{runner.SIZE_HELP[spec.name]} "
                            f"(default {getattr(defaults, spec.name)})")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--plot", type=Path, default=Path("docs/benchmarks.png"))
    parser.add_argument("--json", type=Path, default=Path("docs/benchmarks.json"))
    parser.add_argument("--profile", type=float, default=0.0, metavar="SECONDS",
                        help="only profile the (first) hub under load A with py-spy")
    parser.add_argument("--profile-topology", default="one", choices=systems.TOPOLOGIES,
                        help="the topology --profile runs (default one)")
    args = parser.parse_args(argv)
    sizes = runner.Sizes.smoke() if args.smoke else runner.Sizes()
    overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(runner.Sizes)
                 if getattr(args, f.name) is not None}
    sizes = dataclasses.replace(sizes, **overrides)
    systems.raise_nofile_limit()
    if args.profile:
        print(profile(args.profile, sizes, Path(tempfile.mkdtemp()) / "profile",
                      args.profile_topology))
        return 0
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    results = run_all(sizes, args.systems.split(","), args.topologies.split(","),
                      args.loads.split(","))
    meta = {"started": stamp, "seconds": time.monotonic() - started, "cpus": os.cpu_count(),
            "sizes": json.dumps(dataclasses.asdict(sizes)), "smoke": args.smoke,
            "server_root": os.environ.get(systems.SERVER_ROOT_ENV, "")}
    notes = report.kept_notes(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report.markdown(results, meta, notes, args.plot.name))
    args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
    report.plot(results, args.plot)
    print(f"wrote {args.out}, {args.plot}, {args.json}")
    ours = correctness_errors([r for r in results if r["system"] == "intervisiebord"])
    peers = correctness_errors([r for r in results if r["system"] != "intervisiebord"])
    for line in peers:
        print("peer error (reported, not failing the run):", line)
    for line in ours:
        print("CORRECTNESS:", line)
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
