"""Issue 5 panels: ML jobs and loss curve, models, predictions, transfers, presence and plugins.

Built clientside from the live stream, and rebuilt the same after a reload
from GET /api/status ``state``.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

from tests.browser.conftest import console_errors, open_page, rows, text_of, trace_lengths, wait_badge
from tests.server import wait_until

PANELS = (
    ("ml-jobs", "job"),
    ("ml-models", "model"),
    ("transfers", "transfer"),
    ("presence", "user"),
    ("plugins", "plugin"),
)


def job(progress: float, at: float, state: str = "running", **extra: Any) -> dict[str, Any]:
    """A progress report of the job bert-ft made at time ``at`` (seconds since the epoch)."""
    data = {"job": "bert-ft", "progress": progress, "state": state, "epoch": int(progress * 10), "epochs": 10}
    time_text = datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"type": "ml.training.progress", "time": time_text, "data": {**data, **extra}}


def transfer(done: int, state: str = "running") -> dict[str, Any]:
    data = {"transfer": "t-1", "name": "images.tar", "bytes": done, "total": 1000, "state": state}
    return {"type": "file.upload.progress", "data": data}


def panel_state(dash_br: Any) -> dict[str, Any]:
    """What the panels show, less the parts that move with the clock (relative times, ETAs)."""
    out: dict[str, Any] = {}
    for container, key in PANELS:
        out[container] = {
            k: {a: v for a, v in r.items() if a != "text"} for k, r in rows(dash_br, container, key).items()
        }
    return out


def test_panel001_jobs_transfers_presence_plugins_follow_events_and_survive_reload(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    assert "No training jobs yet" in text_of(dash_br, "ml-jobs")

    # each report a second after the one before: reports posted as fast as the page answers can fall in
    # one bucket of the loss history (GET /api/metrics averages them), and the curve rebuilt after the
    # reload would then have fewer points than the live one
    report_times = itertools.count(time.time() - 30)
    server.post(job(0.2, next(report_times), loss=0.9, accuracy=0.5, eta_s=120))
    wait_until(
        lambda: rows(dash_br, "ml-jobs", "job").get("bert-ft", {}).get("progress") == "0.2", 10, 0.05, "a job row"
    )
    row = rows(dash_br, "ml-jobs", "job")["bert-ft"]
    assert row["state"] == "running" and "epoch 2/10" in row["text"] and "loss 0.9" in row["text"]
    assert "ETA" in row["text"]
    server.post(job(0.6, next(report_times), loss=0.5, accuracy=0.8, eta_s=60))
    wait_until(lambda: rows(dash_br, "ml-jobs", "job")["bert-ft"]["progress"] == "0.6", 10, 0.05, "the bar to move")
    fill = dash_br.driver.execute_script(
        "return document.querySelector('#ml-jobs [data-job=\"bert-ft\"] .progress-fill').style.transform"
    )
    assert fill == "scaleX(0.6)"  # the bar moves by transform (assets/mova.css .progress-fill)
    # the selected (only) job's loss curve: its live points (drawn while it is on screen)
    dash_br.driver.execute_script("document.getElementById('ml-loss').scrollIntoView({block: 'center'})")
    wait_until(lambda: trace_lengths(dash_br, "ml-loss")[:1] == [2], 10, 0.05, "two loss points")
    server.post(job(1.0, next(report_times), state="completed", loss=0.3))
    wait_until(lambda: rows(dash_br, "ml-jobs", "job")["bert-ft"]["state"] == "completed", 10, 0.05, "completed")

    server.post(
        [
            transfer(100),
            {"type": "ml.model.update", "data": {"model": "bert", "version": "v7", "stage": "production"}},
            {"type": "ml.prediction.result", "data": {"model": "bert", "latency_ms": 12.0}},
            {"type": "ml.prediction.result", "data": {"model": "bert", "latency_ms": 30.0}},
            {"type": "user.presence", "data": {"user": "ana", "state": "online"}},
            {"type": "user.presence", "data": {"user": "li", "state": "online"}},
            {"type": "plugin.status", "data": {"plugin": "s3-sync", "state": "active"}},
            {"type": "plugin.update", "data": {"plugin": "s3-sync", "version": "2.1.0"}},
        ]
    )
    wait_until(lambda: rows(dash_br, "transfers", "transfer").get("t-1", {}).get("state") == "running", 10, 0.05)
    wait_until(lambda: set(rows(dash_br, "presence", "user")) == {"ana", "li"}, 10, 0.05, "two users online")
    server.post([transfer(1000, "completed"), {"type": "user.presence", "data": {"user": "li", "state": "away"}}])
    wait_until(lambda: rows(dash_br, "transfers", "transfer")["t-1"]["state"] == "completed", 10, 0.05, "done")
    assert "COMPLETED" in rows(dash_br, "transfers", "transfer")["t-1"]["text"].upper()
    wait_until(lambda: rows(dash_br, "presence", "user")["li"]["state"] == "away", 10, 0.05, "li away")
    plugin = rows(dash_br, "plugins", "plugin")["s3-sync"]
    assert plugin["state"] == "active" and plugin["version"] == "2.1.0"
    # the ML panel paints at most once a second (assets/client/panel_ml.js): its rows may follow the others
    wait_until(lambda: rows(dash_br, "ml-models", "model").get("bert", {}).get("version") == "v7", 10, 0.05, "v7")
    wait_until(lambda: rows(dash_br, "ml-predictions", "model").get("bert", {}).get("count") == "2", 10, 0.05, "preds")
    prediction = rows(dash_br, "ml-predictions", "model")["bert"]
    assert prediction["count"] == "2" and "p50" in prediction["text"] and "12.0 ms" in prediction["text"]
    server.post({"type": "plugin.status", "data": {"plugin": "s3-sync", "state": "error", "message": "no creds"}})
    wait_until(lambda: rows(dash_br, "plugins", "plugin")["s3-sync"]["state"] == "error", 10, 0.05, "plugin error")
    before = panel_state(dash_br)
    assert console_errors(dash_br) == []

    dash_br.driver.refresh()
    wait_badge(dash_br, "Live")
    wait_until(lambda: panel_state(dash_br) == before, 10, 0.1, "the same panels after a reload")
    prediction = rows(dash_br, "ml-predictions", "model")["bert"]
    assert prediction["count"] == "2" and "30.0 ms" in prediction["text"], "p95 rebuilt from the last minute"
    wait_until(lambda: trace_lengths(dash_br, "ml-loss")[:1] == [3], 10, 0.05, "the loss curve from history")
    assert console_errors(dash_br) == []


def test_panel002_ingest_rate_per_source_from_live_events(dash_br: Any, server: Any) -> None:
    """The recipe's example panel (ARCHITECTURE.md): live events counted per source, busiest first, each
    with a bar as wide as its share of the busiest."""
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    activity = {"type": "user.activity", "data": {"user": "ana", "action": "clicked"}}
    server.post([{**activity, "source": "busy/app"}] * 6 + [{**activity, "source": "quiet/app"}] * 2)

    def shown() -> dict[str, dict[str, str]]:
        return rows(dash_br, "ingest-rate", "source")

    wait_until(lambda: set(shown()) == {"busy/app", "quiet/app"}, 10, 0.05, "a row per source")
    got = shown()
    # events/s over the 10 s window: 6 and 2 events
    assert [float(got[s]["rate"]) * 10 for s in ("busy/app", "quiet/app")] == [6.0, 2.0], got
    assert list(got) == ["busy/app", "quiet/app"], "busiest first"
    fills = dash_br.driver.execute_script(
        "return Array.from(document.querySelectorAll('#ingest-rate .progress-fill')).map(f => f.style.transform)"
    )
    assert fills == ["scaleX(1)", "scaleX(0.333)"], fills
    assert "from 2" in text_of(dash_br, "ingest-rate-count")
    assert console_errors(dash_br) == []
