"""Honest chart series: a break (a null point) wherever data is missing or a new training run begins.

Plotly joins consecutive points with a line unless a point between them is null, so
a series read for a chart (GET /api/metrics) gets a null point:

- between two points further apart than ``GAP_STEPS`` times the series' step, where
  the step is the larger of the query's bucket width and the median spacing of the
  series' points in the answer (an outage of the collector, a service that stopped
  publishing): no line across the outage;
- between the last point of one training run and the first of the next, for the
  ``ml.<job>.*`` series (a run starts where the job's progress goes back down, the
  same rule as the live state's "a finished job running again"): the loss curve of a
  new run is not joined to the old one's.

The null point sits halfway between its neighbours, so times stay strictly increasing;
points closer than two milliseconds are never split (they could not keep distinct
millisecond times).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hub.events.times import iso_ms

GAP_STEPS = 3  # points further apart than this many steps have a gap between them
JOB_SERIES = (".loss", ".accuracy", ".progress")  # the series ml.training.progress feeds (hub.events.validate)


def job_of(name: str) -> str | None:
    """The job of an ``ml.<job>.<loss|accuracy|progress>`` series, else None."""
    if not name.startswith("ml."):
        return None
    for suffix in JOB_SERIES:
        if name.endswith(suffix) and len(name) > 3 + len(suffix):
            return name[3 : -len(suffix)]
    return None


def series_step(times: Sequence[float], bucket: float) -> float:
    """The spacing a series' points are expected at: the bucket, or the median spacing if wider."""
    spacings = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    return max(bucket, spacings[len(spacings) // 2] if spacings else 0.0)


def with_breaks(
    name: str, rows: Sequence[Sequence[Any]], bucket: float, run_starts: Sequence[float] = ()
) -> dict[str, Any]:
    """A chart series from rows (time text, avg, min, max, epoch seconds), with a null point at each break."""
    times = [float(r[4]) for r in rows]
    step = series_step(times, bucket)
    t: list[str] = []
    v: list[float | None] = []
    lo: list[float | None] = []
    hi: list[float | None] = []
    starts = sorted(run_starts)
    k = 0  # the next run start not yet passed
    gaps = 0
    for i, row in enumerate(rows):
        if t and row[0] <= t[-1]:
            continue  # two buckets within one millisecond: one time, one point (times strictly increase)
        if i:
            before, after = times[i - 1], times[i]
            new_run = False
            while k < len(starts) and starts[k] <= after:
                new_run = new_run or starts[k] > before
                k += 1
            if (new_run or after - before > GAP_STEPS * step) and after - before >= 0.002:
                t.append(iso_ms((before + after) / 2))
                v.append(None)
                lo.append(None)
                hi.append(None)
                gaps += 1
        t.append(row[0])
        v.append(row[1])
        lo.append(row[2])
        hi.append(row[3])
    return {"name": name, "t": t, "v": v, "min": lo, "max": hi, "step_s": round(step, 3), "gaps": gaps}
