"""Export and long-range chart benchmarks (issue 4), each beside its baseline.

Data: 8 series at 1 s resolution over 125,000 s (1,000,000 samples), ingested
through the store like real events so that rollups are maintained.

- Export of all 1,000,000 samples in each format, streamed by hub.export, in a
  fresh process each so that peak memory (ru_maxrss) is the export's own.
  Baseline: the idiomatic pandas way, read_sql of everything then to_csv.
- A 24 h chart query over the 8 series down to 2,000 points each (what
  GET /api/metrics does), beside the same query over raw samples.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from hub.events.model import Limits
from hub.events.validate import validate_batch
from hub.storage.series import Retention
from hub.storage.sqlite import SQLiteStore

SERIES = [f"bench.s{i}" for i in range(8)]
SECONDS = 125_000
RETENTION = Retention(max_age_s=10 * 86400, max_events=10**8, raw_samples_s=3 * 86400)


def build(path: Path) -> None:
    store = SQLiteStore(path, RETENTION, synchronous="NORMAL")
    start = time.time() - SECONDS
    limits = Limits(max_batch_events=5000)
    for chunk in range(0, SECONDS, 5000):
        events = [
            {
                "type": "metrics.update",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + t)) + "Z",
                "data": {name: float((t * (k + 1)) % 100) for k, name in enumerate(SERIES)},
            }
            for t in range(chunk, min(chunk + 5000, SECONDS))
        ]
        store.append(validate_batch(events, "bench", limits))
    store.close()


def export_child(path: str, fmt: str) -> None:
    """Run in a fresh process: export everything, print rows, seconds, peak and base RSS."""
    from hub.export.metrics import MetricsRequest, export_metrics

    store = SQLiteStore(Path(path), RETENTION)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    size = 0
    if fmt == "pandas-baseline":
        import sqlite3

        import pandas as pd

        conn = sqlite3.connect(path)
        frame = pd.read_sql(
            "SELECT s.name AS series, x.ts AS time, x.value FROM samples x JOIN series s ON s.id = x.series_id", conn
        )
        frame["time"] = pd.to_datetime(frame["time"], unit="s", utc=True)
        size = len(frame.to_csv(index=False))
    else:
        req = MetricsRequest(SERIES, 0.0, time.time() + 1, fmt)
        for chunk in export_metrics(store, req)[0]:
            size += len(chunk)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(seconds, size, peak / 1024, base / 1024)
    store.close()


def chart_query(path: Path) -> tuple[float, float, int]:
    store = SQLiteStore(path, RETENTION)
    now = time.time()
    best_rollup = best_raw = float("inf")
    points = 0
    for _ in range(5):
        t0 = time.perf_counter()
        out = store.query_series(SERIES, now - 86400, now, 2000)
        best_rollup = min(best_rollup, time.perf_counter() - t0)
        points = max(len(s["v"]) for s in out)
        assert out[0]["resolution"] != "raw"
        # baseline: the same buckets computed from raw samples
        store.resolution_for = lambda since, until, bucket: 0  # type: ignore[method-assign]
        t0 = time.perf_counter()
        store.query_series(SERIES, now - 86400, now, 2000)
        best_raw = min(best_raw, time.perf_counter() - t0)
        del store.resolution_for
    store.close()
    return best_rollup * 1000, best_raw * 1000, points


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        t0 = time.perf_counter()
        build(path)
        print(f"machine: {machine()}")
        print(f"built 1,000,000 samples (8 series) in {time.perf_counter() - t0:.1f} s\n")
        print(
            f"{'export (1,000,000 rows)':<26} {'seconds':>8} {'rows/s':>11} {'MB out':>8} {'peak RSS MB':>12} {'over base MB':>13}"
        )
        for fmt in ("csv", "jsonl", "parquet", "pandas-baseline"):
            out = subprocess.run(
                [sys.executable, "-m", "bench.export", "--child", str(path), fmt],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).parent.parent,
            ).stdout.split()
            seconds, size, peak, base = float(out[0]), int(out[1]), float(out[2]), float(out[3])
            label = "csv (pandas read_sql+to_csv)" if fmt == "pandas-baseline" else fmt
            print(
                f"{label:<26} {seconds:>8.2f} {1_000_000 / seconds:>11,.0f} {size / 1e6:>8.1f} {peak:>12.0f} {peak - base:>13.0f}"
            )
        rollup_ms, raw_ms, points = chart_query(path)
        print(f"\n{'24 h chart, 8 series -> 2,000 points':<40} {'ms':>8}")
        print(f"{'rollups (GET /api/metrics)':<40} {rollup_ms:>8.1f}")
        print(f"{'raw samples (baseline)':<40} {raw_ms:>8.1f}")
        print(f"points per series: {points}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        export_child(sys.argv[2], sys.argv[3])
    else:
        main()
