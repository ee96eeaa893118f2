"""Alert delivery to real receivers on loopback: an http.server webhook (generic and Slack bodies) and
aiosmtpd as the SMTP server. Retries with backoff, silences, grouping, repeats, and a restart mid-firing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.alerting import FAST, metric, put_rule, states_seen, wait_evaluations, wait_state
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.server import ServerProcess, wait_until


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def start(tmp_path: Path, hook: WebhookReceiver, *args: str) -> ServerProcess:
    return ServerProcess(tmp_path / "data", *FAST, "--alert-webhook-url", hook.url, *args).start()


def deliveries(server: ServerProcess, rule_id: str = "") -> list[dict]:
    return list(
        server.get("/api/alerts/deliveries", params={"rule_id": rule_id} if rule_id else {}).json()["deliveries"]
    )


def test_delivery001_receiver_failing_twice_then_up_gets_exactly_one_delivery(tmp_path: Path) -> None:
    hook = WebhookReceiver(fail_first=2)
    server = start(tmp_path, hook)
    try:
        put_rule(server, id="mem-high", name="Memory high", kind="threshold", series="d1.mem", warning=90)
        metric(server, "d1.mem", 97)
        wait_state(server, "mem-high", "firing")
        wait_until(lambda: hook.bodies, timeout=15, message="the delivery after two failures")
        log = wait_until(lambda: [d for d in deliveries(server, "mem-high") if d["status"] == "sent"], message="sent")
        attempts = log[0]["attempts"]
        assert [a["ok"] for a in attempts] == [False, False, True]
        assert "HTTP 500" in attempts[0]["detail"]
        assert attempts[2]["at"] - attempts[1]["at"] >= attempts[1]["at"] - attempts[0]["at"] > 0.15  # backoff
        wait_evaluations(server, 5)
        assert hook.requests == 3 and len(hook.bodies) == 1
        body = hook.bodies[0]
        assert body["status"] == "firing" and body["receiver"] == "webhook"
        (alert,) = body["alerts"]
        assert alert["labels"]["rule_id"] == "mem-high" and alert["labels"]["severity"] == "warning"
        assert alert["value"] == 97 and "d1.mem is 97" in alert["annotations"]["description"]
    finally:
        server.stop()
        hook.close()


def test_delivery002_silenced_rule_notifies_nobody(tmp_path: Path, hook: WebhookReceiver) -> None:
    server = start(tmp_path, hook)
    try:
        put_rule(server, id="loud", name="Loud", kind="threshold", series="d2.loud", warning=1, group="loud")
        put_rule(server, id="hushed", name="Hushed", kind="threshold", series="d2.hushed", warning=1, group="hushed")
        put_rule(server, id="by-source", name="Quiet job", kind="absence", type="d2.beat", source="batch-9",
                 group="by-source", **{"for": 1})  # fmt: skip
        silence = requests.post(
            server.url + "/api/alerts/silences",
            json={"rule_id": "hushed", "duration": 600, "reason": "maintenance"},
            timeout=10,
        )
        assert silence.status_code == 201 and silence.json()["created_by"] == "anonymous"
        by_source = requests.post(server.url + "/api/alerts/silences", json={"source": "batch-9", "duration": 600},
                                  timeout=10)  # fmt: skip
        assert by_source.status_code == 201
        metric(server, "d2.loud", 5)
        metric(server, "d2.hushed", 5)
        wait_state(server, "hushed", "firing")
        wait_state(server, "by-source", "firing")
        wait_until(lambda: [a for a in hook.alerts() if a["labels"]["rule_id"] == "loud"], message="the loud one")
        wait_evaluations(server, 5)
        assert {a["labels"]["rule_id"] for a in hook.alerts()} == {"loud"}
        assert deliveries(server, "hushed") == [] and deliveries(server, "by-source") == []
        events = [e for e in server.get("/api/events", params={"type": "alert"}).json()["events"]
                  if e["data"]["rule_id"] == "hushed"]  # fmt: skip
        assert events[-1]["data"]["state"] == "firing" and events[-1]["data"]["silenced"] is True  # still shown
        # the silence ends: the next transition notifies again
        assert (
            requests.delete(server.url + f"/api/alerts/silences/{silence.json()['id']}", timeout=10).status_code == 204
        )
        metric(server, "d2.hushed", 0)
        wait_until(lambda: [a for a in hook.alerts() if a["labels"]["rule_id"] == "hushed"], message="hushed resolved")
    finally:
        server.stop()


def test_delivery003_alerts_firing_together_go_out_as_one_message_and_repeat_until_acked(
    tmp_path: Path, hook: WebhookReceiver
) -> None:
    server = start(tmp_path, hook, "--alert-group-wait-s", "0.5")
    try:
        for rule_id, level in (("lat-warn", 100), ("lat-crit", 200)):
            put_rule(server, id=rule_id, name=rule_id, kind="threshold", series="d3.latency", warning=level,
                     group="latency", repeat=2)  # fmt: skip
        metric(server, "d3.latency", 250)
        wait_until(lambda: hook.bodies, message="the grouped message")
        first = hook.bodies[0]
        assert first["groupKey"] == "latency"
        assert sorted(a["labels"]["rule_id"] for a in first["alerts"]) == ["lat-crit", "lat-warn"]
        wait_until(lambda: any(a["repeat"] for a in hook.alerts()), timeout=10, message="a repeat after 2 s")
        assert requests.post(server.url + "/api/alerts/rules/lat-warn/ack", timeout=10).status_code == 200
        assert requests.post(server.url + "/api/alerts/rules/lat-crit/ack", timeout=10).status_code == 200
        wait_evaluations(server, 2)
        seen = len(hook.bodies)
        wait_evaluations(server, 15)  # 3 s: more than a repeat interval
        assert len(hook.bodies) == seen
    finally:
        server.stop()


def test_delivery004_email_through_a_real_smtp_server_and_a_slack_body(tmp_path: Path, hook: WebhookReceiver) -> None:
    smtp = SmtpReceiver()
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"contact_points:\n  - {{name: chat, type: slack, url: '{hook.url}'}}\n"
        "rules:\n  - {id: queue-deep, name: Queue deep, kind: threshold, series: d4.queue, critical: 1000,"
        " notify: [email, chat]}\n"
    )
    server = ServerProcess(
        tmp_path / "data", *FAST, "--rules-file", str(rules), "--alert-email-to", "oncall@example.com",
        "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
    ).start()  # fmt: skip
    try:
        metric(server, "d4.queue", 5000)
        wait_until(lambda: smtp.messages and hook.bodies, message="the e-mail and the chat message")
        message = smtp.messages[0]
        assert message["To"] == "oncall@example.com" and message["Subject"].startswith("[FIRING:1]")
        assert "Queue deep (critical)" in message.get_payload()
        slack = hook.bodies[0]
        assert slack["text"].startswith("[FIRING:1]") and slack["attachments"][0]["title"] == "Queue deep (critical)"
        metric(server, "d4.queue", 10)
        wait_until(lambda: len(smtp.messages) == 2, message="the resolved e-mail")
        assert smtp.messages[1]["Subject"].startswith("[RESOLVED]")
    finally:
        server.stop()
        smtp.close()


def test_delivery005_restart_mid_firing_neither_loses_nor_repeats(tmp_path: Path, hook: WebhookReceiver) -> None:
    server = start(tmp_path, hook)
    put_rule(server, id="net-down", name="Network down", kind="threshold", series="d5.loss", critical=50)
    metric(server, "d5.loss", 100)
    firing = wait_state(server, "net-down", "firing")
    wait_until(lambda: hook.bodies, message="the firing notification")
    wait_until(lambda: "firing" in states_seen(server, "net-down"), message="the firing event")
    server.kill_hard()  # no chance to close anything
    server = start(tmp_path, hook)
    try:
        wait_evaluations(server, 10)
        again = server.get("/api/alerts/rules/net-down").json()["status"]
        assert again["state"] == "firing" and again["since"] == firing["since"]  # not lost, the same firing
        assert len(hook.bodies) == 1  # and not sent again
        assert states_seen(server, "net-down").count("firing") == 1  # nor shown again
        metric(server, "d5.loss", 0)
        wait_until(lambda: len(hook.bodies) == 2, message="the resolved notification")
        assert hook.bodies[1]["status"] == "resolved"
    finally:
        server.stop()
