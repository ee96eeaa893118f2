"""hub.demo.simulator.Simulator replayed with fixed seeds, without a server: valid, varied, deterministic events."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

from hub.demo.simulator import Simulator
from hub.events.model import Limits
from hub.events.validate import KNOWN_TYPES, validate_event
from hub.live.state import LiveState


def run(seed: int, seconds: float, step: float = 0.5) -> list[tuple[float, str, dict]]:
    sim = Simulator(random.Random(seed), start=1000.0)
    out = []
    t = 1000.0
    while t <= 1000.0 + seconds:
        out += [(t, type_, data) for type_, data in sim.next_events(t)]
        t += step
    return out


def test_every_event_passes_the_hubs_validation():
    events = run(seed=7, seconds=3600)
    assert len(events) > 5000
    limits = Limits()
    for _, type_, data in events:
        validate_event({"type": type_, "data": data}, None, "demo", limits)  # raises on the first bad one


def test_every_known_type_but_system_ones_appears_within_an_hour():
    types = Counter(type_ for _, type_, _ in run(seed=3, seconds=3600))
    wanted = {t for t in KNOWN_TYPES if not t.startswith("system.") and t != "analytics.update"}
    assert wanted <= set(types), wanted - set(types)
    assert types["ml.prediction.result"] > types["ml.training.progress"]  # predictions are the busy stream


def test_first_step_fills_every_panel_category():
    sim = Simulator(random.Random(1))
    first = {type_.split(".")[0] for type_, _ in sim.next_events(0.0) + sim.next_events(1.0)}
    assert {"ml", "file", "user", "plugin", "notification", "metrics"} <= first


def test_same_seed_same_events_other_seed_other_events():
    assert run(seed=11, seconds=300) == run(seed=11, seconds=300)
    assert run(seed=11, seconds=300) != run(seed=12, seconds=300)


def test_jobs_learn_finish_and_sometimes_fail():
    events = run(seed=5, seconds=7200)
    progress = [(t, d) for t, ty, d in events if ty == "ml.training.progress"]
    ends = Counter(d["state"] for _, d in progress if d["state"] != "running")
    assert ends["completed"] >= 10 and ends["failed"] >= 1
    # within one run of one job the loss falls and accuracy rises from start to end
    first_run: list[dict] = []
    for _, d in progress:
        if first_run and d["job"] != first_run[0]["job"]:
            continue
        first_run.append(d)
        if d["state"] != "running":
            break
    assert first_run[-1]["state"] in ("completed", "failed")
    if first_run[-1]["state"] == "completed":
        assert first_run[-1]["loss"] < first_run[0]["loss"] / 2 and first_run[-1]["accuracy"] > first_run[0]["accuracy"]
        assert first_run[-1]["progress"] == 1.0 and first_run[-1]["eta_s"] == 0
    assert [d["progress"] for d in first_run] == sorted(d["progress"] for d in first_run)
    # every completed job publishes a new model version
    completed = sum(1 for _, d in progress if d["state"] == "completed")
    staged = [d for _, ty, d in events if ty == "ml.model.update" and d.get("stage") == "staging"]
    assert len(staged) == completed
    running: set[str] = set()
    for _, d in progress:  # two or three jobs at a time, never more
        (running.add if d["state"] == "running" else running.discard)(d["job"])
        assert len(running) <= 3


def test_transfers_grow_to_completion_and_alerts_resolve():
    events = run(seed=9, seconds=3600)
    by_transfer: dict[str, list[dict]] = {}
    for _, ty, d in events:
        if ty.startswith("file.") and ty.endswith(".progress"):
            by_transfer.setdefault(d["transfer"], []).append(d)
    finished = [reports for reports in by_transfer.values() if reports[-1]["state"] != "running"]
    assert len(finished) >= 50
    for reports in by_transfer.values():
        assert [r["bytes"] for r in reports] == sorted(r["bytes"] for r in reports)
    assert any(r[-1]["state"] == "completed" and r[-1]["bytes"] == r[-1]["total"] for r in finished)
    assert any(r[-1]["state"] == "failed" for r in finished)
    alerts = [d for _, ty, d in events if ty == "alert"]
    raised = [a for a in alerts if not a["resolved"]]
    resolved = [a for a in alerts if a["resolved"]]
    assert raised and len(resolved) >= len(raised) - 1  # the last one may still be open
    levels = {d["level"] for _, ty, d in events if ty == "notification"}
    assert {"info", "success", "warning"} <= levels


def test_demo_events_fold_into_a_full_live_state():
    state = LiveState()
    for seq, (t, type_, data) in enumerate(run(seed=2, seconds=600), start=1):
        when = datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")
        state.apply([{"seq": seq, "type": type_, "time": when, "data": data}])
    snap = state.snapshot(now=1600.0)
    assert snap["jobs"] and snap["models"] and snap["presence"] and snap["plugins"] and snap["predictions"]
    assert all(p["count"] > 0 and p["p95_ms"] >= p["p50_ms"] for p in snap["predictions"])
