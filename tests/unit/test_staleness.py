"""hub.live.staleness on a real LiveState: quiet running jobs and transfers are stalled, not active."""

from __future__ import annotations

import time

from hub.live.staleness import STALLED_AFTER_S, mark_stalled
from hub.live.state import LiveState


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def test_quiet_running_entries_are_stalled_and_listed_after_running_ones() -> None:
    now = time.time()
    state = LiveState()
    job = "ml.training.progress"
    state.apply(
        [
            {"type": job, "time": iso(now - 1500), "data": {"job": "old", "progress": 0.4, "state": "running"}},
            {"type": job, "time": iso(now - 10), "data": {"job": "live", "progress": 0.2, "state": "running"}},
            {"type": job, "time": iso(now - 3600), "data": {"job": "done", "progress": 1.0, "state": "completed"}},
            {
                "type": "file.upload.progress",
                "time": iso(now - 1500),
                "data": {"transfer": "t1", "name": "a.bin", "bytes": 10, "total": 100, "state": "running"},
            },
            {
                "type": "file.download.progress",
                "time": iso(now - STALLED_AFTER_S + 30),
                "data": {"transfer": "t2", "name": "b.bin", "bytes": 10, "total": 100, "state": "running"},
            },
        ]
    )
    snapshot = state.snapshot(now)
    marked = mark_stalled(snapshot, now)
    jobs = {j["job"]: j for j in marked["jobs"]}
    assert jobs["old"]["state"] == "stalled" and jobs["old"]["stalled"] and jobs["old"]["last_state"] == "running"
    assert jobs["live"]["state"] == "running" and "stalled" not in jobs["live"]
    assert jobs["done"]["state"] == "completed"
    assert [j["job"] for j in marked["jobs"]][0] == "live"  # the only active one first
    transfers = {t["transfer"]: t["state"] for t in marked["transfers"]}
    assert transfers == {"t1": "stalled", "t2": "running"}
    assert sum(1 for t in marked["transfers"] if t["state"] == "running") == 1
    # the folded state is not changed: a new report makes the job running again
    assert {j["job"]: j["state"] for j in state.snapshot(now)["jobs"]}["old"] == "running"
    state.apply([{"type": job, "time": iso(now), "data": {"job": "old", "progress": 0.5, "state": "running"}}])
    assert {j["job"]: j["state"] for j in mark_stalled(state.snapshot(now), now)["jobs"]}["old"] == "running"
    # the age is a parameter (--stalled-after-s)
    assert {j["job"]: j["state"] for j in mark_stalled(snapshot, now, 5)["jobs"]}["live"] == "stalled"
