"""Shared pieces of the benchmarks: machine header, percentiles, process CPU, the real server, tables.

Every table printed by ``python -m bench`` starts with the machine it ran on and
the command that produced it, so that a number pasted elsewhere keeps its context.
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    ram = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores, {cpu_model()}, {ram:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def command() -> str:
    return " ".join(shlex.quote(a) for a in [Path(PY).name, "-m", "bench", *sys.argv[1:]])


def header(title: str) -> str:
    return f"### {title}\n\nmachine: {machine()}  \ncommand: `{command()}`\n"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (q in 0..1); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(q * len(ordered)))])


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; floats printed with one decimal."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "nan" if v != v else f"{v:.1f}"
        return str(v)

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---:" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def tree_cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process and its children (gunicorn master + worker)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class CpuMeter:
    """CPU seconds used by a process tree between start() and stop(), and the machine's steal meanwhile.

    Steal is the share of the machine's CPU time its hypervisor gave to other guests: on this VM it
    swings from 0 to 40 % within minutes and moves every latency with it, so each row reports it.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu0 = 0.0
        self.t0 = 0.0
        self.cpu_s = 0.0
        self.wall_s = 0.0
        self.machine0 = psutil.cpu_times()
        self.steal_percent = float("nan")

    def start(self) -> CpuMeter:
        self.cpu0, self.t0 = tree_cpu_seconds(self.pid), time.monotonic()
        self.machine0 = psutil.cpu_times()
        return self

    def stop(self) -> CpuMeter:
        self.cpu_s = tree_cpu_seconds(self.pid) - self.cpu0
        self.wall_s = time.monotonic() - self.t0
        machine = psutil.cpu_times()
        total = sum(machine) - sum(self.machine0)
        self.steal_percent = 100.0 * (machine.steal - self.machine0.steal) / total if total > 0 else 0.0
        return self

    @property
    def percent(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s if self.wall_s else float("nan")


@contextmanager
def mova_server(*args: str, env: dict[str, str] | None = None) -> Iterator[Any]:
    """The real server (``python app.py``) on a free port with a fresh data dir."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.server import ServerProcess

    with tempfile.TemporaryDirectory(prefix="mova-bench-") as tmp:
        server = ServerProcess(Path(tmp), *args, env=env).start()
        try:
            yield server
        finally:
            server.stop()
