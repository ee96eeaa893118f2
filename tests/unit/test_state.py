"""hub.live.state.LiveState folded from explicit event sequences: every transition it knows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import orjson

from hub.live.state import Bounds, LiveState, percentile

T0 = datetime(2026, 11, 26, 14, 0, 0, tzinfo=UTC).timestamp()
_seq = iter(range(1, 10**9))


def ev(type_: str, at: float, **data) -> dict:
    """A stored event `at` seconds after T0."""
    moment = datetime.fromtimestamp(T0 + at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "seq": next(_seq),
        "specversion": "1.0",
        "id": "x",
        "source": "t",
        "type": type_,
        "time": moment,
        "data": data,
    }


def fold(*events: dict, bounds: Bounds | None = None) -> LiveState:
    state = LiveState(bounds)
    state.apply(list(events))
    return state


def snap(state: LiveState, at: float = 0.0) -> dict:
    return state.snapshot(now=T0 + at)


def test_empty_snapshot_is_json_ready():
    s = snap(LiveState())
    assert s == {
        "last_seq": 0,
        "jobs": [],
        "models": [],
        "transfers": [],
        "presence": [],
        "plugins": [],
        "predictions": [],
    }
    orjson.dumps(s)


# -- jobs --------------------------------------------------------------------------


def test_job_runs_then_completes():
    state = fold(
        ev(
            "ml.training.progress", 0, job="bert", state="running", progress=0.1, epoch=1, epochs=10, loss=0.9, eta_s=90
        ),
        ev("ml.training.progress", 5, job="bert", state="running", progress=0.5, epoch=5, loss=0.4, accuracy=0.8),
    )
    [job] = snap(state, 5)["jobs"]
    assert job["state"] == "running" and job["progress"] == 0.5 and job["epoch"] == 5 and job["epochs"] == 10
    assert job["loss"] == 0.4 and job["accuracy"] == 0.8 and job["eta_s"] == 90 and job["finished"] is None
    assert job["started"].endswith("14:00:00.000Z") and job["updated"].endswith("14:00:05.000Z")
    state.apply([ev("ml.training.progress", 9, job="bert", state="completed", progress=0.98, model="bert-base")])
    [job] = snap(state, 9)["jobs"]
    assert job["state"] == "completed" and job["progress"] == 1.0 and job["eta_s"] == 0
    assert job["finished"].endswith("14:00:09.000Z") and job["model"] == "bert-base" and job["loss"] == 0.4


def test_job_fails_or_is_cancelled():
    state = fold(
        ev("ml.training.progress", 0, job="a", state="running", progress=0.2, eta_s=30),
        ev("ml.training.progress", 1, job="a", state="failed", progress=0.3),
        ev("ml.training.progress", 0, job="b", state="running", progress=0.2),
        ev("ml.training.progress", 2, job="b", state="cancelled", progress=0.2),
    )
    jobs = {j["job"]: j for j in snap(state)["jobs"]}
    assert jobs["a"]["state"] == "failed" and jobs["a"]["eta_s"] is None and jobs["a"]["progress"] == 0.3
    assert jobs["b"]["state"] == "cancelled" and jobs["b"]["finished"]


def test_finished_job_running_again_is_a_new_run():
    state = fold(
        ev("ml.training.progress", 0, job="a", state="running", progress=0.5, loss=0.3, epochs=4),
        ev("ml.training.progress", 10, job="a", state="completed", progress=1.0),
        ev("ml.training.progress", 20, job="a", state="running", progress=0.1),
    )
    [job] = snap(state)["jobs"]
    assert job["state"] == "running" and job["progress"] == 0.1 and job["finished"] is None
    assert "loss" not in job and "epochs" not in job  # the old run's numbers are gone
    assert job["started"].endswith("14:00:20.000Z")


def test_late_older_job_report_does_not_undo_a_newer_one():
    state = fold(
        ev("ml.training.progress", 10, job="a", state="completed", progress=1.0),
        ev("ml.training.progress", 5, job="a", state="running", progress=0.5),
    )
    [job] = snap(state)["jobs"]
    assert job["state"] == "completed" and job["progress"] == 1.0


def test_jobs_are_bounded_dropping_finished_first_and_running_listed_first():
    events = [ev("ml.training.progress", i, job=f"j{i}", state="completed", progress=1.0) for i in range(5)]
    events.append(ev("ml.training.progress", 0, job="live", state="running", progress=0.5))
    state = fold(*events, bounds=Bounds(jobs=3))
    jobs = snap(state)["jobs"]
    assert [j["job"] for j in jobs] == ["live", "j4", "j3"]


# -- models ------------------------------------------------------------------------


def test_latest_model_version_wins():
    state = fold(
        ev("ml.model.update", 0, model="resnet", version="v1", stage="staging", metrics={"acc": 0.9}),
        ev("ml.model.update", 5, model="resnet", version="v2", stage="production"),
        ev("ml.model.update", 3, model="bert", version="v7"),
    )
    models = snap(state)["models"]
    assert [m["model"] for m in models] == ["resnet", "bert"]  # most recently updated first
    resnet = models[0]
    assert resnet["version"] == "v2" and resnet["previous_version"] == "v1" and resnet["stage"] == "production"
    assert resnet["metrics"] == {} and resnet["updates"] == 2
    state.apply([ev("ml.model.update", 1, model="resnet", version="v0")])  # late and older: ignored
    assert snap(state)["models"][0]["version"] == "v2"


# -- transfers -----------------------------------------------------------------------


def up(at: float, done: float, state: str = "running", total: float = 1000.0, key: str = "t1") -> dict:
    return ev("file.upload.progress", at, transfer=key, name="data.tar", bytes=done, total=total, state=state)


def test_transfer_rate_eta_and_completion_average():
    state = fold(up(0, 0), up(2, 200))
    [t] = snap(state, 2)["transfers"]
    assert t["direction"] == "upload" and t["name"] == "data.tar" and t["progress"] == 0.2
    assert t["rate_bps"] == 100.0 and t["eta_s"] == 8.0 and t["state"] == "running"
    state.apply([up(3, 500)])  # rate from the last two reports, not the average
    [t] = snap(state, 3)["transfers"]
    assert t["rate_bps"] == 300.0 and t["eta_s"] == round(500 / 300, 1)
    state.apply([up(5, 1000, "completed")])
    [t] = snap(state, 5)["transfers"]
    assert t["state"] == "completed" and t["eta_s"] == 0 and t["rate_bps"] == 200.0 and t["finished"]


def test_first_report_has_no_rate_and_failure_clears_eta():
    state = fold(up(0, 100))
    [t] = snap(state)["transfers"]
    assert t["rate_bps"] is None and t["eta_s"] is None
    state.apply([up(1, 300), up(2, 300, "failed")])
    [t] = snap(state, 2)["transfers"]
    assert t["state"] == "failed" and t["eta_s"] is None and t["progress"] == 0.3


def test_download_direction_and_bytes_going_back_reset_the_rate():
    d = [
        ev("file.download.progress", at, transfer="d", name="m.bin", bytes=b, total=0, state="running")
        for at, b in ((0, 0), (1, 500), (2, 100))
    ]
    state = fold(*d)
    [t] = snap(state)["transfers"]
    assert t["direction"] == "download" and t["rate_bps"] is None and t["progress"] is None  # total 0: unknown


def test_finished_transfers_expire_after_ten_minutes_running_ones_stay():
    state = fold(up(0, 0, key="old"), up(1, 1000, "completed", key="old"), up(0, 10, key="slow"))
    assert {t["transfer"] for t in snap(state, 600)["transfers"]} == {"old", "slow"}
    assert [t["transfer"] for t in snap(state, 602)["transfers"]] == ["slow"]


def test_finished_transfer_restarted_is_a_new_transfer():
    state = fold(up(0, 0), up(1, 1000, "completed"), up(10, 0), up(11, 50))
    [t] = snap(state, 11)["transfers"]
    assert t["state"] == "running" and t["started"].endswith("14:00:10.000Z") and t["rate_bps"] == 50.0


def test_transfers_bounded_finished_dropped_first():
    events = [up(i, 1000, "completed", key=f"done{i}") for i in range(3)] + [up(0, 1, key="run")]
    state = fold(*events, bounds=Bounds(transfers=2))
    assert [t["transfer"] for t in snap(state, 5)["transfers"]] == ["run", "done2"]


# -- presence --------------------------------------------------------------------------


def test_presence_transitions_and_activity():
    state = fold(
        ev("user.presence", 0, user="ann", state="online"),
        ev("user.activity", 5, user="ann", action="opened", target="job bert"),
        ev("user.presence", 6, user="bob", state="online"),
        ev("user.presence", 9, user="bob", state="away"),
        ev("user.presence", 10, user="cy", state="offline"),
    )
    users = {u["user"]: u for u in snap(state)["presence"]}
    assert [u["user"] for u in snap(state)["presence"]] == ["ann", "bob", "cy"]
    assert users["ann"]["state"] == "online" and users["ann"]["last_action"] == "opened job bert"
    assert users["ann"]["last_seen"].endswith("14:00:05.000Z") and users["ann"]["since"].endswith("14:00:00.000Z")
    assert users["bob"]["state"] == "away" and users["bob"]["since"].endswith("14:00:09.000Z")
    state.apply(
        [ev("user.presence", 12, user="bob", state="offline"), ev("user.presence", 11, user="ann", state="away")]
    )
    users = {u["user"]: u for u in snap(state)["presence"]}
    assert users["bob"]["state"] == "offline" and users["ann"]["state"] == "away"


def test_activity_of_an_unknown_user_means_online():
    [user] = snap(fold(ev("user.activity", 0, user="dee", action="login")))["presence"]
    assert user["state"] == "online" and user["last_action"] == "login"


def test_presence_bounded_dropping_offline_users_first():
    events = [ev("user.presence", i, user=f"u{i}", state="offline") for i in range(4)]
    events.append(ev("user.presence", 0, user="on", state="online"))
    assert [u["user"] for u in snap(fold(*events, bounds=Bounds(users=2)))["presence"]] == ["on", "u3"]


# -- plugins ---------------------------------------------------------------------------


def test_plugin_status_and_update_merge():
    state = fold(
        ev("plugin.update", 0, plugin="slack", version="1.2.0", message="new release"),
        ev("plugin.status", 1, plugin="slack", state="active"),
        ev("plugin.status", 2, plugin="s3", state="error", message="bucket gone"),
    )
    plugins = snap(state)["plugins"]
    assert plugins == [
        {"plugin": "s3", "state": "error", "version": None, "message": "bucket gone", "updated": plugins[0]["updated"]},
        {"plugin": "slack", "state": "active", "version": "1.2.0", "message": None, "updated": plugins[1]["updated"]},
    ]
    state.apply([ev("plugin.status", 3, plugin="s3", state="active", message="recovered")])
    assert snap(state)["plugins"][0]["state"] == "active"


# -- predictions -------------------------------------------------------------------------


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50 and percentile(values, 0.95) == 95 and percentile([7.0], 0.95) == 7


def test_prediction_summary_over_the_last_minute_by_event_time():
    events = [ev("ml.prediction.result", i * 0.5, model="m", latency_ms=float(i + 1)) for i in range(100)]  # 0..49.5 s
    events.append(ev("ml.prediction.result", 0, model="other", latency_ms=3))
    state = fold(*events)
    summary = {p["model"]: p for p in snap(state, 50)["predictions"]}
    assert summary["m"]["count"] == 100 and summary["m"]["p50_ms"] == 50 and summary["m"]["p95_ms"] == 95
    assert summary["m"]["total"] == 100 and summary["m"]["last"].endswith("14:00:49.500Z")
    # 30 s later only events from t >= 20 s are in the window: latencies 41..100
    later = {p["model"]: p for p in snap(state, 80)["predictions"]}
    assert later["m"]["count"] == 60 and later["m"]["p50_ms"] == 70 and later["m"]["p95_ms"] == 97
    assert later["other"]["count"] == 0 and later["other"]["p50_ms"] is None and later["other"]["total"] == 1


def test_prediction_samples_are_bounded_per_model():
    state = fold(
        *[ev("ml.prediction.result", i * 0.001, model="m", latency_ms=1) for i in range(50)],
        bounds=Bounds(prediction_samples=10),
    )
    [p] = snap(state, 0.05)["predictions"]
    assert p["count"] == 10 and p["total"] == 50


# -- the whole -------------------------------------------------------------------------


def test_rebuild_equals_live_folding_and_ignores_other_types():
    events = [
        ev("ml.training.progress", 0, job="a", state="running", progress=0.5),
        ev("notification", 1, level="info", title="hi"),
        ev("system.metrics", 1, **{"cpu.percent": 3}),
        ev("user.presence", 2, user="ann", state="online"),
        ev("ml.model.update", 3, model="m", version="1"),
        {"seq": 10_001, "type": "user.presence", "data": "not an object"},
    ]
    live = LiveState()
    for event in events:
        live.apply([event])
    rebuilt = LiveState.rebuild(iter(events))
    assert snap(live) == snap(rebuilt)
    assert rebuilt.last_seq == 10_001 and [m["model"] for m in snap(rebuilt)["models"]] == ["m"]
    assert LiveState.wants("ml.training.progress") and not LiveState.wants("notification")


def test_an_event_without_a_valid_time_is_folded_at_the_current_time():
    # stored events always have a valid time; a hand-made one without it is taken as happening now
    # (so it is not compared across two foldings above: they may fall on either side of a second)
    bad = {"seq": 10_000, "type": "ml.model.update", "time": "not a time", "data": {"model": "m", "version": "1"}}
    before = datetime.now(UTC).replace(microsecond=0)
    state = LiveState.rebuild(iter([bad]))
    after = datetime.now(UTC)
    (model,) = snap(state)["models"]
    assert model["version"] == "1" and before <= datetime.fromisoformat(model["updated"]) <= after


def test_concurrent_apply_and_snapshot():
    state = LiveState()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(500):
                state.apply(
                    [up(i, i, key=f"w{n}-{i % 50}"), ev("ml.prediction.result", i, model=f"m{n}", latency_ms=i)]
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        orjson.dumps(state.snapshot(now=T0 + 500))
    for t in threads:
        t.join()
    assert not errors
    assert len(snap(state, 500)["transfers"]) == 200
