"""Alert evaluation cost: 1,000 rules every 10 s, as CPU of one core, beside the idle server.

Two runs of the real server back to back, each with the 1 s host collector on and
no page open (bench/idle.py's figure is with a page): the idle server with no
rules, then the same with 1,000 rules from a rules file evaluated every 10 s
(600 thresholds on the latest sample, 200 on a 5-minute average, 100 absence and
100 rate rules over the stream; 200 custom series and a producer sending 20
events a second). CPU is user+system seconds of the process tree (psutil). The
service's own timing of its last evaluation pass is reported too. Target: the
difference at most 5 % of a core.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml

from bench.common import CpuMeter, header, mova_server, table

SERIES = [f"bench.s{i}" for i in range(200)] + ["cpu.percent", "memory.percent", "load.1m"]
TARGET_PERCENT = 5.0


def rules_file(path: Path) -> Path:
    rules: list[dict[str, object]] = []
    for i in range(600):
        rules.append({"id": f"t{i}", "name": f"threshold {i}", "kind": "threshold", "series": SERIES[i % len(SERIES)],
                      "warning": 1e9, "critical": 2e9, "recovery": 5e8, "for": "30s"})  # fmt: skip
    for i in range(200):
        rules.append({"id": f"a{i}", "name": f"average {i}", "kind": "threshold", "series": SERIES[i % len(SERIES)],
                      "reduce": "avg", "window": "5m", "op": "below", "warning": -1})  # fmt: skip
    for i in range(100):
        rules.append({"id": f"q{i}", "name": f"absence {i}", "kind": "absence", "type": "bench.beat",
                      "source": f"producer-{i % 10}", "for": "2m"})  # fmt: skip
    for i in range(100):
        rules.append({"id": f"r{i}", "name": f"rate {i}", "kind": "rate", "type": "bench.beat",
                      "window": "1m", "warning": 1e6})  # fmt: skip
    path.write_text(yaml.safe_dump({"rules": rules}))
    return path


def produce(url: str, stop: threading.Event) -> None:
    """20 events a second from 10 sources, and the custom series every 10 s."""
    session = requests.Session()
    n = 0
    while not stop.is_set():
        batch: list[dict[str, object]] = [
            {"type": "bench.beat", "source": f"producer-{i % 10}", "data": {"i": n + i}} for i in range(20)
        ]
        if n % 200 == 0:
            batch.append({"type": "metrics.update", "data": {s: float(n % 97) for s in SERIES[:200]}})
        session.post(url + "/api/events", json=batch, timeout=10)
        n += 20
        stop.wait(1.0)


def measure(seconds: float, *args: str) -> tuple[CpuMeter, dict[str, object]]:
    with mova_server("--collector-interval", "1.0", *args) as server:
        stop = threading.Event()
        producer = threading.Thread(target=produce, args=(server.url, stop), daemon=True)
        producer.start()
        try:
            time.sleep(12.0)  # start-up, the first evaluation and the first events are not the steady state
            meter = CpuMeter(server.proc.pid).start()
            time.sleep(seconds)
            meter.stop()
            service = requests.get(server.url + "/api/alerts/rules", timeout=30).json()["service"]
        finally:
            stop.set()
            producer.join()
    return meter, service


def run(quick: bool = False, seconds: float | None = None) -> str:
    seconds = seconds or (30.0 if quick else 60.0)
    idle, _ = measure(seconds)
    with tempfile.TemporaryDirectory(prefix="mova-bench-rules-") as tmp:
        path = rules_file(Path(tmp) / "rules.yaml")
        loaded, service = measure(seconds, "--rules-file", str(path), "--alert-interval-s", "10")
    extra = loaded.percent - idle.percent
    rows = [
        ["MOVA server, collector 1 s, 20 ev/s, no rules", idle.percent, idle.cpu_s, idle.steal_percent],
        [f"the same with {service['rules']} rules every 10 s", loaded.percent, loaded.cpu_s, loaded.steal_percent],
        [f"the rules' cost (target <= {TARGET_PERCENT:g} %)", extra, loaded.cpu_s - idle.cpu_s, float("nan")],
    ]
    return (
        header(f"Alert evaluation cost over {seconds:.0f} s (bench/alerts.py)")
        + "\n"
        + table(["server", "CPU % of one core", "CPU s", "steal %"], rows)
        + f"\nlast evaluation pass of {service['rules']} rules: {service['last_evaluation_ms']} ms "
        f"({service['evaluations']} passes)\n"
    )


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
