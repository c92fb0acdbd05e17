"""The Markdown report (docs/benchmarks.md) and the plot (docs/benchmarks.png)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

NOTES_MARKER = "<!-- notes: kept across runs -->"
TARGET_P99_MS = 20.0
TARGET_RATE_FACTOR = 3.0
TARGET_CPU_FACTOR = 1.5
TARGET_IDLE_KIB = 20.0
TARGET_CONVERGE_S = 3.0
TARGET_NODE_CPU_FACTOR = 1.2
"""Latency targets against Node's socket.io (system ``node``) in the same run."""
TARGET_P50_MS = 3.0
CPU_RATE = 1600.0
"""The rate at which CPU per delivery is compared with Node's (besides the highest
rate both held)."""


def _ms(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1f}"


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _errors(errors: dict[str, int]) -> str:
    return "ok" if not errors else ", ".join(f"{k} {v}" for k, v in sorted(errors.items()))


def _sustained(result: dict[str, Any]) -> str:
    """The highest sustained rate; ">=" when the last step tried was still sustained."""
    prefix = "" if result["limit_found"] else ">= "
    return prefix + _num(result["max_sustained_ops_s"])


def _find(results: list[dict[str, Any]], **match: str) -> dict[str, Any] | None:
    for result in results:
        if all(result.get(k) == v for k, v in match.items()) and "skipped" not in result:
            return result
    return None


def _verdict(ok: bool | None, how: str) -> str:
    if ok is None:
        return "not measured"
    return ("met" if ok else "missed") + f" ({how})"


def targets(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    rows: list[tuple[str, str, str]] = []
    a_two = _find(results, system="intervisiebord", topology="two", load="A")
    if a_two:
        p99 = a_two["steps"][0]["p99_ms"]
        ok = p99 <= TARGET_P99_MS and not a_two["steps"][0]["errors"]
        rows.append(("Load A, two hubs + Redis: p99 <= 20 ms at the base rate",
                     f"{_ms(p99)} ms", _verdict(ok, f"{p99 - TARGET_P99_MS:+.1f} ms")))
    else:
        rows.append(("Load A, two hubs + Redis: p99 <= 20 ms at the base rate", "–",
                     "not measured"))
    for topology in ("two", "one"):
        ours = _find(results, system="intervisiebord", topology=topology, load="A")
        peer = _find(results, system="socketio", topology=topology, load="A")
        name = f"Load A ({topology} hub{'s' if topology == 'two' else ''}): highest " \
               "sustained rate >= 3x python-socketio's"
        if ours and peer and not peer["max_sustained_ops_s"] and not ours["max_sustained_ops_s"]:
            rows.append((name, "0 vs 0 ops/s", "not shown: neither held the base rate "
                         "(run load A again with a lower --a-rate)"))
        elif ours and peer and not peer["max_sustained_ops_s"]:
            # the peer held none of the rates tried: its limit is below the lowest
            lowest = min(step["target_ops_s"] for step in peer["steps"])
            factor = ours["max_sustained_ops_s"] / lowest
            measured = f"{_sustained(ours)} vs < {lowest:,.0f} ops/s = more than {factor:.2f}x"
            verdict = _verdict(True, f"more than {factor / TARGET_RATE_FACTOR:.0%} of the "
                               "target") if factor >= TARGET_RATE_FACTOR else (
                "inconclusive: python-socketio held none of the rates tried; lower "
                "--a-rate to find its limit")
            rows.append((name, measured, verdict))
        elif ours and peer:
            factor = ours["max_sustained_ops_s"] / peer["max_sustained_ops_s"] \
                if peer["max_sustained_ops_s"] else math.inf
            measured = f"{_sustained(ours)} vs {_sustained(peer)} ops/s = {factor:.2f}x"
            how = f"{factor / TARGET_RATE_FACTOR:.0%} of the target"
            if ours["limit_found"] and peer["limit_found"]:
                verdict = _verdict(factor >= TARGET_RATE_FACTOR, how)
            elif not ours["limit_found"] and factor >= TARGET_RATE_FACTOR:
                verdict = _verdict(True, f"at least {how}")
            elif not peer["limit_found"] and ours["limit_found"] \
                    and factor < TARGET_RATE_FACTOR:
                verdict = _verdict(False, f"at most {how}")
            else:
                verdict = "inconclusive: a limit was not reached (raise --max-steps)"
            rows.append((name, measured, verdict))
        else:
            rows.append((name, "–", "not measured"))
    for topology in ("one", "two"):
        ours = _find(results, system="intervisiebord", topology=topology, load="A")
        raw = _find(results, system="raw", topology=topology, load="A")
        name = f"CPU per delivery ({topology}) within 1.5x of raw websockets (load A base)"
        if ours and raw and ours["steps"][0]["server_cpu_us_per_delivery"] \
                and raw["steps"][0]["server_cpu_us_per_delivery"]:
            a = ours["steps"][0]["server_cpu_us_per_delivery"]
            b = raw["steps"][0]["server_cpu_us_per_delivery"]
            rows.append((name, f"{a:.1f} vs {b:.1f} µs = {a / b:.2f}x",
                         _verdict(a / b <= TARGET_CPU_FACTOR,
                                  f"{a / b - TARGET_CPU_FACTOR:+.2f}x against 1.5x")))
        else:
            rows.append((name, "–", "not measured"))
    for topology in ("one", "two"):
        idle = _find(results, system="intervisiebord", topology=topology, load="C")
        name = f"Memory per idle connection ({topology}) <= 20 KiB"
        if idle:
            kib = idle["bytes_per_connection"] / 1024
            rows.append((name, f"{kib:.1f} KiB",
                         _verdict(kib <= TARGET_IDLE_KIB, f"{kib - TARGET_IDLE_KIB:+.1f} KiB")))
        else:
            rows.append((name, "–", "not measured"))
    rows += node_targets(results)
    rows += affinity_targets(results)
    kill = _find(results, load="kill")
    name = "Hub killed: all clients converged within 3 s, 0 lost"
    if kill:
        ok = kill["converged"] and kill["lost"] == 0 and kill["converge_s"] <= TARGET_CONVERGE_S
        rows.append((name, f"{kill['connected']} clients, {kill['converge_s']:.2f} s, "
                           f"lost {kill['lost']}",
                     _verdict(ok, f"{kill['converge_s'] - TARGET_CONVERGE_S:+.2f} s")))
    else:
        rows.append((name, "–", "not measured"))
    return rows


def _step_at(result: dict[str, Any], rate: float) -> dict[str, Any] | None:
    return next((s for s in result["steps"] if abs(s["target_ops_s"] - rate) < 1e-6), None)


def node_targets(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Against Node's socket.io in the same run, per topology: p99 at every rate both
    measured (the ratio per row), p50 at the base rate, CPU per delivery at 1,600 ops/s
    and at the highest common rate, and the highest rate held with p99 <= 50 ms."""
    rows: list[tuple[str, str, str]] = []
    for topology in ("one", "two"):
        ours = _find(results, system="intervisiebord", topology=topology, load="A")
        node = _find(results, system="node", topology=topology, load="A")
        label = f"({topology} hub{'s' if topology == 'two' else ''})"
        if not ours or not node:
            rows.append((f"Load A {label}: against Node socket.io", "–", "not measured"))
            continue
        common = sorted({s["target_ops_s"] for s in ours["steps"]}
                        & {s["target_ops_s"] for s in node["steps"]})
        for rate in common:
            a, b = _step_at(ours, rate), _step_at(node, rate)
            assert a is not None and b is not None
            ratio = a["p99_ms"] / b["p99_ms"] if b["p99_ms"] else math.inf
            rows.append((f"Load A {label} at {rate:,.0f} ops/s: p99 <= Node's",
                         f"{_ms(a['p99_ms'])} vs {_ms(b['p99_ms'])} ms = {ratio:.2f}x",
                         _verdict(a["p99_ms"] <= b["p99_ms"], f"{ratio:.2f}x")))
        base = ours["steps"][0]
        rows.append((f"Load A {label}: p50 <= 3 ms at the base rate", f"{_ms(base['p50_ms'])} ms",
                     _verdict(base["p50_ms"] <= TARGET_P50_MS,
                              f"{base['p50_ms'] - TARGET_P50_MS:+.1f} ms")))
        for rate in sorted(({CPU_RATE} & set(common)) | set(common[-1:])):
            a, b = _step_at(ours, rate), _step_at(node, rate)
            assert a is not None and b is not None
            x, y = a["server_cpu_us_per_delivery"], b["server_cpu_us_per_delivery"]
            if x and y:
                rows.append((f"Load A {label} at {rate:,.0f} ops/s: CPU per delivery "
                             "<= 1.2x Node's", f"{x:.1f} vs {y:.1f} µs = {x / y:.2f}x",
                             _verdict(x / y <= TARGET_NODE_CPU_FACTOR, f"{x / y:.2f}x")))
        held = (f"{_sustained(ours)} vs {_sustained(node)} ops/s (generator CPU at ours: "
                f"{_generator_share(ours)})")
        # compared by the planned rate of the highest step held (the sent rates of two
        # steps that both held differ by a fraction of an op per second)
        ahead = _held_rate(ours) >= _held_rate(node)
        rows.append((f"Load A {label}: highest rate with p99 <= 50 ms >= Node's", held,
                     _verdict(ahead, "ours >= Node's" if ahead else "ours < Node's")))
    return rows


def _held_rate(result: dict[str, Any]) -> float:
    """The planned rate of the highest step that held (0 if none did)."""
    return max((s["target_ops_s"] for s in result["steps"] if s["sustained"]), default=0.0)


def affinity_targets(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Session affinity: two hubs that each hold whole sessions cost at most 1.2x one
    hub's CPU per delivery (Redis included) and hold p99 <= 20 ms at 1,600 ops/s."""
    one = _find(results, system="intervisiebord", topology="one", load="A")
    aff = _find(results, system="intervisiebord", topology="affinity", load="A")
    spread = _find(results, system="intervisiebord", topology="two", load="A")
    if not one or not aff:
        return [("Two hubs with affinity: CPU per delivery <= 1.2x one hub's", "–",
                 "not measured")]
    rate = 1600.0
    a, b = _step_at(aff, rate), _step_at(one, rate)
    rows: list[tuple[str, str, str]] = []
    if a and b and a["server_cpu_us_per_delivery"] and b["server_cpu_us_per_delivery"]:
        x, y = a["server_cpu_us_per_delivery"], b["server_cpu_us_per_delivery"]
        rr = _step_at(spread, rate) if spread else None
        beside = f"; spread over both: {rr['server_cpu_us_per_delivery']:.1f} µs" if rr else ""
        rows.append(("Two hubs with affinity at 1,600 ops/s: CPU per delivery <= 1.2x one "
                     "hub's", f"{x:.1f} vs {y:.1f} µs = {x / y:.2f}x{beside}",
                     _verdict(x / y <= 1.2, f"{x / y:.2f}x")))
    single = _find(results, system="intervisiebord", topology="one-redis", load="A")
    c = _step_at(single, rate) if single else None
    if a and c and a["server_cpu_us_per_delivery"] and c["server_cpu_us_per_delivery"]:
        x, y = a["server_cpu_us_per_delivery"], c["server_cpu_us_per_delivery"]
        rows.append(("Two hubs with affinity at 1,600 ops/s: CPU per delivery <= 1.2x one "
                     "hub's on the same Redis", f"{x:.1f} vs {y:.1f} µs = {x / y:.2f}x",
                     _verdict(x / y <= 1.2, f"{x / y:.2f}x")))
    if a:
        rows.append(("Two hubs with affinity: p99 <= 20 ms at 1,600 ops/s",
                     f"{_ms(a['p99_ms'])} ms", _verdict(a["p99_ms"] <= TARGET_P99_MS,
                                                        f"{a['p99_ms'] - TARGET_P99_MS:+.1f} ms")))
    return rows


def _generator_share(result: dict[str, Any]) -> str:
    held = [s for s in result["steps"] if s["sustained"]]
    if not held:
        return "–"
    top = max(held, key=lambda s: s["target_ops_s"])
    return f"{top['generator_cpu_share']:.0%}"


def markdown(results: list[dict[str, Any]], meta: dict[str, Any], notes: str,
             plot: str) -> str:
    out = ["# Benchmarks", "",
           "Generated by `scripts/bench` (tests/bench/README.md). "
           f"Run: {meta['started']} UTC, {meta['seconds']:.0f} s, {meta['cpus']} CPUs, "
           f"sizes: `{meta['sizes']}`.", ""]
    if meta.get("server_root"):
        out += [f"Intervisiebord server code from `{meta['server_root']}`.", ""]
    if meta.get("smoke"):
        out += ["**Smoke sizes: these figures say nothing about speed.**", ""]
    out += ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in targets(results)]
    out += ["", "## Summary", "",
            "| system | topology | load | highest sustained ops/s (p99 <= 50 ms) | "
            "p50 / p99 / max at base (ms) | server µs/delivery | generator µs/delivery | "
            "correctness |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "skipped" in r:
            out.append(f"| {r['system']} | {r['topology']} | {r['load']} | {r['skipped']} "
                       "| | | | |")
        elif r["load"] in ("A", "B"):
            base = r["steps"][0]
            errs = {k: v for s in r["steps"] for k, v in s["errors"].items()}
            out.append(
                f"| {r['system']} | {r['topology']} | {r['load']} "
                f"({r['rooms']} x {r['size']}) | {_sustained(r)} | "
                f"{_ms(base['p50_ms'])} / {_ms(base['p99_ms'])} / {_ms(base['max_ms'])} | "
                f"{_num(base['server_cpu_us_per_delivery'], 1)} | "
                f"{_num(base['generator_cpu_us_per_delivery'], 1)} | "
                f"{_errors({**r['setup_errors'], **errs})} |")
        elif r["load"] == "C":
            out.append(f"| {r['system']} | {r['topology']} | C ({r['connected']} idle) | "
                       f"{r['bytes_per_connection'] / 1024:.1f} KiB per connection | | | | "
                       f"{_errors(r['errors'])} |")
        elif r["load"] == "kill":
            out.append(f"| {r['system']} | {r['topology']} | hub killed ({r['connected']} "
                       f"clients) | converged {r['converged']} in {r['converge_s']:.2f} s, "
                       f"{r['reconnects']} reconnects, {r['ops']} ops, lost {r['lost']} | | | | "
                       f"{_errors(r['errors'])} |")
    out += ["", "## Rate steps (loads A and B)", "",
            "| system | topology | load | planned ops/s | sent ops/s | deliveries/s | p50 | p99 "
            "| max (ms) | server µs/delivery | server CPU | generator CPU | generator lag p99 "
            "/ max (ms) | sustained | correctness |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "steps" not in r:
            continue
        for s in sorted(r["steps"], key=lambda step: step["target_ops_s"]):
            out.append(
                f"| {r['system']} | {r['topology']} | {r['load']} | {_num(s['target_ops_s'])} | "
                f"{_num(s['ops_s'])} | {_num(s['deliveries_s'])} | {_ms(s['p50_ms'])} | "
                f"{_ms(s['p99_ms'])} | {_ms(s['max_ms'])} | "
                f"{_num(s['server_cpu_us_per_delivery'], 1)} | "
                f"{s['server_cpu_share']:.0%} | {s['generator_cpu_share']:.0%} | "
                f"{_ms(s.get('generator_lag_p99_ms'))} / {_ms(s.get('generator_lag_max_ms'))} | "
                f"{'yes' if s['sustained'] else 'no'} | {_errors(s['errors'])} |")
    examples = [e for r in results for e in r.get("examples", [])] + \
        [e for r in results for s in r.get("steps", []) for e in s["examples"]]
    if examples:
        out += ["", "### First correctness errors", ""] + [f"- {e}" for e in examples[:20]]
    out += ["", "CPU shares are of one core (200% = both cores). The load generator shares "
            "the machine; a step whose generator CPU nears its worker count x 100% measures "
            "the generator, not the server. Generator lag is how late a worker's event loop "
            "ran a 10 ms timer during the step (the worst worker): receipts are stamped up to "
            "that late, so a p99 latency close to it says more about the generator or the "
            "machine than about the server.", "", f"![p99 latency by op rate]({plot})",
            "", NOTES_MARKER, notes.strip(), ""]
    return "\n".join(out)


def kept_notes(path: Path) -> str:
    if path.exists() and NOTES_MARKER in (text := path.read_text()):
        return text.split(NOTES_MARKER, 1)[1]
    return ""


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, load in zip(axes, ("A", "B"), strict=True):
        for r in results:
            if r.get("load") != load or "steps" not in r:
                continue
            ordered = sorted(r["steps"], key=lambda step: step["target_ops_s"])
            xs = [s["ops_s"] for s in ordered]
            ys = [s["p99_ms"] for s in ordered]
            ax.plot(xs, ys, marker="o", label=f"{r['system']} ({r['topology']})")
        ax.axhline(50, color="grey", linestyle="--", linewidth=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("ops/s sent")
        ax.set_ylabel("p99 fan-out latency (ms)")
        ax.set_title(f"Load {load}")
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
