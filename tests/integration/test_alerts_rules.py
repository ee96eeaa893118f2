"""Alert rules on the real server: thresholds with `for` and hysteresis, absence, rate, the API and the rules file.

One server for the module (each test has its own series, types and rule ids),
evaluating every 0.2 s; series are fed by POSTing system.metrics with custom
names, so the host collector is off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.alerting import (
    FAST,
    alert_events,
    metric,
    put_rule,
    states_seen,
    status,
    wait_evaluations,
    wait_state,
)  # fmt: skip
from tests.server import ServerProcess, wait_until


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("alerts") / "data", *FAST).start()
    yield proc
    proc.stop()


def test_alert001_cpu_rule_fires_after_its_duration_and_resolves_below_recovery(server: ServerProcess) -> None:
    put_rule(server, id="cpu-high", name="CPU high", kind="threshold", series="t1.cpu.percent", warning=80,
             critical=95, recovery=60, **{"for": 1.5})  # fmt: skip
    metric(server, "t1.cpu.percent", 85)
    pending = wait_state(server, "cpu-high", "pending")
    firing = wait_state(server, "cpu-high", "firing")
    assert firing["since"] - pending["since"] >= 1.5  # held for its duration, not sooner
    assert firing["severity"] == "warning"
    metric(server, "t1.cpu.percent", 70)  # below warning, above recovery: the hysteresis band
    wait_evaluations(server)
    assert status(server, "cpu-high")["state"] == "firing"
    metric(server, "t1.cpu.percent", 55)
    resolved = wait_state(server, "cpu-high", "resolved")
    assert resolved["value"] == 55
    wait_until(lambda: states_seen(server, "cpu-high")[-1:] == ["resolved"], message="the resolved event")
    events = alert_events(server, "cpu-high")
    assert [e["data"]["state"] for e in events][-3:] == ["pending", "firing", "resolved"]
    fired, done = events[-2], events[-1]
    assert fired["source"] == "alerts" and fired["data"]["severity"] == "warning" and fired["data"]["resolved"] is False
    assert done["data"]["resolved"] is True and done["data"]["previous"] == "firing"
    history = server.get("/api/alerts/rules/cpu-high/history").json()["history"]
    assert [h["to"] for h in history][:3] == ["resolved", "firing", "pending"]


def test_alert002_absence_rule_fires_when_a_producer_stops(server: ServerProcess) -> None:
    stop = threading.Event()

    def produce() -> None:
        while not stop.is_set():
            server.post({"type": "ml.training.progress", "source": "trainer-7",
                         "data": {"job": "r50", "progress": 0.5, "state": "running"}})  # fmt: skip
            stop.wait(0.2)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        wait_until(lambda: server.get("/api/events", params={"type": "ml"}).json()["events"], message="a report")
        put_rule(server, id="trainer-quiet", name="Trainer 7 quiet", kind="absence", type="ml.training.progress",
                 source="trainer-7", job="r50", **{"for": 1.5})  # fmt: skip
        wait_evaluations(server, 10)  # 2 s of evaluations while it reports every 0.2 s
        assert status(server, "trainer-quiet")["state"] == "ok"
        assert states_seen(server, "trainer-quiet") == []
    finally:
        stop.set()
        producer.join()
    stopped = time.time()
    firing = wait_state(server, "trainer-quiet", "firing")
    assert firing["since"] - stopped >= 1.2  # not before its duration (less the last report's 0.2 s)
    assert firing["severity"] == "critical"
    server.post({"type": "ml.training.progress", "source": "trainer-7",
                 "data": {"job": "r50", "progress": 0.6, "state": "running"}})  # fmt: skip
    wait_state(server, "trainer-quiet", "resolved")


def test_alert003_rate_rule_counts_events_per_minute(server: ServerProcess) -> None:
    put_rule(server, id="errors-burst", name="Error burst", kind="rate", type="job.error", warning=30, window=10)
    wait_evaluations(server, 2)
    assert server.post([{"type": "job.error", "data": {"n": i}} for i in range(8)]).status_code == 202
    firing = wait_state(server, "errors-burst", "firing")  # 8 in 10 s = 48 a minute
    assert firing["value"] == pytest.approx(48)
    wait_state(server, "errors-burst", "resolved", timeout=20)  # the window moves past them


def test_alert004_api_validates_and_answers_in_the_error_shape(server: ServerProcess) -> None:
    url = server.url + "/api/alerts/rules"
    good = {"id": "api-rule", "name": "API", "kind": "threshold", "series": "t4.x", "warning": 1}
    cases = [
        ({**good, "warning": "high"}, 400, "warning"),
        ({**good, "notify": ["pager"]}, 400, "notify"),  # no such contact point on this server
        ({**good, "id": "../etc"}, 400, "id"),
        ([good], 400, None),
    ]
    for body, code, field in cases:
        response = requests.post(url, json=body, timeout=10)
        assert response.status_code == code, response.text
        assert "error" in response.json() and response.json().get("field") == field
    assert requests.post(url, data="{", headers={"Content-Type": "application/json"}, timeout=10).status_code == 400
    assert requests.post(url, data="x", headers={"Content-Type": "text/plain"}, timeout=10).status_code == 415
    assert requests.post(url, json=good, timeout=10).status_code == 201
    again = requests.post(url, json=good, timeout=10)
    assert again.status_code == 409 and "PUT" in again.json()["error"]
    assert requests.get(url + "/nope", timeout=10).status_code == 404
    assert requests.patch(url + "/api-rule", json=good, timeout=10).json()["error"]
    moved = requests.put(url + "/api-rule", json={**good, "id": "other"}, timeout=10)
    assert moved.status_code == 400 and moved.json()["field"] == "id"
    changed = requests.put(url + "/api-rule", json={**good, "warning": 5}, timeout=10)
    assert changed.status_code == 200 and changed.json()["warning"] == 5
    assert requests.get(url + "/api-rule", timeout=10).json()["warning"] == 5
    silence = requests.post(
        server.url + "/api/alerts/silences", json={"rule_id": "api-rule", "duration": -1}, timeout=10
    )
    assert silence.status_code == 400 and silence.json()["field"] == "duration"
    nothing = requests.post(server.url + "/api/alerts/silences", json={"duration": 60}, timeout=10)
    assert nothing.status_code == 400
    ack = requests.post(url + "/api-rule/ack", timeout=10)
    assert ack.status_code == 409 and "not firing" in ack.json()["error"]
    assert requests.delete(url + "/api-rule", timeout=10).status_code == 204
    assert requests.get(url + "/api-rule", timeout=10).status_code == 404


def test_alert005_deleting_a_firing_rule_resolves_it_and_ack_records_who(server: ServerProcess) -> None:
    put_rule(server, id="disk-full", name="Disk full", kind="threshold", series="t5.disk", critical=90)
    metric(server, "t5.disk", 97)
    wait_state(server, "disk-full", "firing")
    ack = requests.post(server.url + "/api/alerts/rules/disk-full/ack", timeout=10)
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "anonymous"
    assert status(server, "disk-full")["acknowledged_by"] == "anonymous"
    history = server.get("/api/alerts/rules/disk-full/history").json()["history"]
    assert history[0]["acknowledged_by"] == "anonymous"
    assert requests.delete(server.url + "/api/alerts/rules/disk-full", timeout=10).status_code == 204
    wait_until(lambda: states_seen(server, "disk-full")[-1:] == ["resolved"], message="a resolved event")


def test_alert006_rules_file_is_loaded_read_only_and_a_bad_one_stops_the_start(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "# provisioned like Grafana's alerting files\n"
        "rules:\n"
        "  - id: gpu-hot\n    name: GPU hot\n    kind: threshold\n    series: gpu.temp\n"
        "    warning: 80\n    critical: 90\n    recovery: 70\n    for: 30s\n"
    )
    server = ServerProcess(tmp_path / "data", *FAST, "--rules-file", str(rules)).start()
    try:
        rule = server.get("/api/alerts/rules/gpu-hot").json()
        assert rule["origin"] == "file" and rule["for"] == 30 and rule["recovery"] == 70
        refused = requests.delete(server.url + "/api/alerts/rules/gpu-hot", timeout=10)
        assert refused.status_code == 409 and "rules file" in refused.json()["error"]
    finally:
        server.stop()
    rules.write_text(
        "rules:\n  - {id: gpu-hot, name: GPU, kind: threshold, series: gpu.temp, warning: 80, for: soon}\n"
    )
    with pytest.raises(AssertionError, match=r"rules\[0\] \(gpu-hot\): for must be a duration"):
        ServerProcess(tmp_path / "data", *FAST, "--rules-file", str(rules)).start()
