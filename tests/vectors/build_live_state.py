"""Build tests/vectors/live_state.json: events -> LiveState snapshot (computed once by hub/live/state.py, then reviewed by hand).

Re-run only when a rule changes on purpose (`.venv/bin/python tests/vectors/build_live_state.py`), then review the diff:
the vectors are the spec both foldings are held to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from hub.live.staleness import mark_stalled  # noqa: E402
from hub.live.state import Bounds, LiveState  # noqa: E402


def ev(seq: int, t: float, type_: str, data: dict[str, Any], source: str = "svc") -> dict[str, Any]:
    return {"seq": seq, "time": f"2026-11-26T14:00:{t:06.3f}Z", "type": type_, "source": source, "data": data}


cases: list[dict[str, Any]] = []


def case(
    name: str,
    events: list[dict[str, Any]],
    now_s: float,
    bounds: dict[str, Any] | None = None,
    stalled_after_s: float | None = None,
) -> None:
    st = LiveState(Bounds(**(bounds or {})))
    st.apply(events)
    now = 1795701600.0 + now_s  # 2026-11-26T14:00:00Z
    snapshot = st.snapshot(now)
    entry: dict[str, Any] = {"name": name, "bounds": bounds or {}, "now": now, "events": events}
    if stalled_after_s is not None:  # as GET /api/status serves it (hub/live/staleness.py mark_stalled)
        entry["stalled_after_s"] = stalled_after_s
        snapshot = mark_stalled(snapshot, now, stalled_after_s)
    cases.append({**entry, "snapshot": snapshot})


case(
    "job lifecycle: running, a late report ignored, completed, then a new run",
    [
        ev(
            1,
            1,
            "ml.training.progress",
            {"job": "a", "state": "running", "progress": 0.2, "epoch": 1, "epochs": 5, "loss": 0.9, "eta_s": 40},
        ),
        ev(2, 3, "ml.training.progress", {"job": "a", "state": "running", "progress": 0.6, "loss": 0.5}),
        ev(3, 2, "ml.training.progress", {"job": "a", "state": "running", "progress": 0.4, "loss": 0.7}),
        ev(4, 4, "ml.training.progress", {"job": "a", "state": "completed", "progress": 0.9}),
        ev(5, 5, "ml.training.progress", {"job": "b", "state": "failed", "progress": 0.1}),
        ev(6, 6, "ml.training.progress", {"job": "c", "state": "running", "progress": 0.1, "model": "m"}),
        ev(7, 7, "ml.training.progress", {"job": "a", "state": "running", "progress": 0.05}),
        ev(8, 8, "ml.training.progress", {"job": 5, "state": "running"}),
    ],
    10,
)
case(
    "models: a new version, then the same version promoted keeps the version before",
    [
        ev(1, 1, "ml.model.update", {"model": "resnet", "version": "v1", "stage": "staging"}),
        ev(2, 2, "ml.model.update", {"model": "resnet", "version": "v2", "stage": "staging", "metrics": {"acc": 0.9}}),
        ev(3, 3, "ml.model.update", {"model": "resnet", "version": "v2", "stage": "production"}),
        ev(4, 4, "ml.model.update", {"model": "bert", "version": "v7"}),
    ],
    10,
)
case(
    "caps: at most N jobs, finished ones dropped first, then the oldest",
    [
        ev(1, 1, "ml.training.progress", {"job": "j1", "state": "running"}),
        ev(2, 2, "ml.training.progress", {"job": "j2", "state": "completed"}),
        ev(3, 3, "ml.training.progress", {"job": "j3", "state": "running"}),
        ev(4, 4, "ml.training.progress", {"job": "j4", "state": "running"}),
        ev(5, 5, "user.presence", {"user": "u1", "state": "offline"}),
        ev(6, 6, "user.presence", {"user": "u2", "state": "online"}),
        ev(7, 7, "user.presence", {"user": "u3", "state": "away"}),
        ev(8, 8, "ml.model.update", {"model": "m1", "version": "1"}),
        ev(9, 9, "ml.model.update", {"model": "m2", "version": "1"}),
        ev(10, 10, "ml.model.update", {"model": "m3", "version": "1"}),
        ev(11, 11, "plugin.status", {"plugin": "p1", "state": "active"}),
        ev(12, 12, "plugin.status", {"plugin": "p2", "state": "error"}),
        ev(13, 13, "plugin.status", {"plugin": "p3", "state": "active"}),
    ],
    20,
    {"jobs": 2, "users": 2, "models": 2, "plugins": 2},
)
case(
    "transfers: rate, ETA, a restart, completion average, expiry of old finished ones",
    [
        ev(
            1,
            0,
            "file.upload.progress",
            {"transfer": "t1", "name": "a.bin", "bytes": 0, "total": 1000, "state": "running"},
        ),
        ev(
            2,
            2,
            "file.upload.progress",
            {"transfer": "t1", "name": "a.bin", "bytes": 400, "total": 1000, "state": "running"},
        ),
        ev(
            3,
            4,
            "file.upload.progress",
            {"transfer": "t1", "name": "a.bin", "bytes": 1000, "total": 1000, "state": "completed"},
        ),
        ev(4, 1, "file.download.progress", {"transfer": "t2", "bytes": 500, "total": 2000, "state": "running"}),
        ev(5, 3, "file.download.progress", {"transfer": "t2", "bytes": 100, "total": 2000, "state": "running"}),
        ev(6, 5, "file.download.progress", {"transfer": "t3", "bytes": 10, "total": 0, "state": "failed"}),
        ev(7, 6, "file.download.progress", {"transfer": "t4", "bytes": True, "total": 10, "state": "running"}),
    ],
    10,
)
case(
    "finished transfers leave the snapshot after the TTL",
    [
        ev(1, 0, "file.upload.progress", {"transfer": "old", "bytes": 5, "total": 5, "state": "completed"}),
        ev(2, 30, "file.upload.progress", {"transfer": "new", "bytes": 1, "total": 5, "state": "running"}),
    ],
    50,
    {"finished_transfer_ttl_s": 20},
)
case(
    "presence and activity: sorted online, away, offline, then by name",
    [
        ev(1, 1, "user.presence", {"user": "zoe", "state": "online"}),
        ev(2, 2, "user.activity", {"user": "bob", "action": "opened", "target": "run 7"}),
        ev(3, 3, "user.presence", {"user": "ann", "state": "away"}),
        ev(4, 4, "user.presence", {"user": "Carl", "state": "offline"}),
        ev(5, 5, "user.presence", {"user": "bob", "state": "online"}),
        ev(6, 6, "user.activity", {"user": "zoe", "action": "left"}),
        ev(7, 7, "user.presence", {"user": "ann", "state": "online"}),
    ],
    10,
)
case(
    "plugins: status and version from two types",
    [
        ev(1, 1, "plugin.status", {"plugin": "s3", "state": "active", "message": "ok"}),
        ev(2, 2, "plugin.update", {"plugin": "s3", "version": "1.2"}),
        ev(3, 3, "plugin.update", {"plugin": "gcs", "version": "0.1", "message": 5}),
    ],
    10,
)
case(
    "predictions: window, nearest-rank percentiles, totals",
    [
        ev(i + 1, i * 0.5, "ml.prediction.result", {"model": "m" if i % 3 else "n", "latency_ms": 10.0 + (i * 7) % 13})
        for i in range(24)
    ],
    40,
    {"prediction_window_s": 30},
)
case(
    "stalled: running jobs and transfers quiet past stalled_after_s, listed after the running ones; a report revives",
    [
        ev(1, 1, "ml.training.progress", {"job": "quiet", "state": "running", "progress": 0.3, "eta_s": 50}),
        ev(2, 2, "ml.training.progress", {"job": "done", "state": "completed", "progress": 1}),
        ev(3, 3, "ml.training.progress", {"job": "back", "state": "running", "progress": 0.1}),
        ev(4, 5, "file.upload.progress", {"transfer": "slow", "bytes": 10, "total": 100, "state": "running"}),
        ev(5, 50, "ml.training.progress", {"job": "fresh", "state": "running", "progress": 0.5}),
        ev(6, 55, "ml.training.progress", {"job": "back", "state": "running", "progress": 0.2}),
        ev(7, 56, "file.download.progress", {"transfer": "fast", "bytes": 5, "total": 10, "state": "running"}),
    ],
    60,
    stalled_after_s=30,
)
DOC = (
    "Events -> LiveState.snapshot(now): run by tests/unit/test_state_vectors.py (hub/live/state.py) and "
    "tests/js/live_state.test.js (assets/client/live_state.js). Times are 2026-11-26T14:00:SS.mmmZ; now is epoch seconds. "
    "A case with stalled_after_s holds the snapshot as GET /api/status serves it (hub/live/staleness.py mark_stalled)."
)
with (ROOT / "tests" / "vectors" / "live_state.json").open("w") as out:
    json.dump({"doc": DOC, "cases": cases}, out, indent=1)
print(len(cases))
