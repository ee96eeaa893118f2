"""``python -m bench [--quick] [--only NAME ...]``: every benchmark of the live path, each beside its baselines.

Prints markdown tables (machine and command on each); a full run (no --quick) also writes them to
bench/results.md, which the README cites. Benchmarks: latency, painted, throughput, idle, alerts (1,000
rules every 10 s), memory, page_cost, export (issue 4's, unchanged), serve_choice (gunicorn against Werkzeug), stalled (a stalled
reader beside 50 healthy clients), slow_clients (health and a new socket beside 2,000 connections
trickling their headers), scale (1, 2 and 4 processes on PostgreSQL + Redis beside SQLite).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import PY, ROOT, command, machine


def _script(module: str, title: str, *args: str) -> Callable[[bool], str]:
    """A benchmark that is its own script: run it and quote what it printed."""

    def run(quick: bool) -> str:
        out = subprocess.run([PY, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
        return f"### {title} ({module.replace('.', '/')}.py)\n\n```\n" + out.stdout + out.stderr[-2000:] + "```\n"

    return run


def benchmarks() -> dict[str, Callable[[bool], str]]:
    from bench import alerts, browser, idle, latency, page_cost, scale, throughput

    return {
        "latency": lambda q: latency.run(quick=q),
        "painted": browser.run_painted,
        "throughput": throughput.run,
        "idle": idle.run,
        "alerts": lambda q: alerts.run(quick=q),
        "memory": browser.run_memory,
        "page_cost": lambda q: page_cost.run(quick=q),
        "export": _script("bench.export", "Export and long-range charts"),
        "serve_choice": _script("bench.serve_choice", "Server choice"),
        "stalled": _script("bench.stalled", "Stalled client beside 50 healthy ones"),
        "slow_clients": _script("bench.slow_clients", "Slow clients: 2,000 trickling connections"),
        "scale": lambda q: scale.run(quick=q),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (about 5 minutes in all)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    parser.add_argument(
        "--out", type=Path, help="also write the tables here (default for a full run: bench/results.md)"
    )
    args = parser.parse_args(argv)
    table = benchmarks()
    names = args.only or [
        n for n in table if not (args.quick and n in ("export", "serve_choice", "stalled", "slow_clients", "scale"))
    ]
    sections = []
    for name in names:
        t0 = time.monotonic()
        print(f"== {name} ...", file=sys.stderr, flush=True)
        text = table[name](args.quick)
        print(text, flush=True)
        sections.append(text + f"\n_{name}: {time.monotonic() - t0:.0f} s_\n")
    out = args.out or (None if args.quick or args.only else ROOT / "bench" / "results.md")
    if out is not None:
        out.write_text(
            "# MOVA Live benchmarks: the live path beside its baselines\n\n"
            f"Produced by `{command()}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.  \n"
            f"Machine: {machine()}. Server and clients share the machine; other work ran on it "
            "at the same time, so read each row against its baseline in the same run.\n\n" + "\n".join(sections)
        )
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
