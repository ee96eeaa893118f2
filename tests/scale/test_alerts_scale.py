"""Alerts with several processes on PostgreSQL + Redis: one evaluator (the leader), no duplicate on failover.

Two real server processes share one database and one bus; both answer the alert
API (the tables are in PostgreSQL), only the leader evaluates and delivers. When
the leader is killed, the other takes the lead and carries on from the state in
the database: the firing alert is neither lost nor notified again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.alerting import FAST, metric, put_rule, states_seen, wait_evaluations
from tests.receivers import WebhookReceiver
from tests.scale.services import ScaleUrls
from tests.server import ServerProcess, wait_until


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def service(server: ServerProcess) -> dict:
    return dict(server.get("/api/alerts/rules").json()["service"])


def test_alerts_scale001_one_evaluator_and_no_duplicate_notification_on_failover(
    server_factory, scale_urls: ScaleUrls, hook: WebhookReceiver
) -> None:
    args = (*FAST, "--alert-webhook-url", hook.url, *scale_urls.args)
    first, second = server_factory(*args), server_factory(*args)
    leaders = [s for s in (first, second) if service(s)["leading"]]
    assert len(leaders) == 1  # exactly one evaluator
    leader, follower = leaders[0], (second if leaders[0] is first else first)
    put_rule(follower, id="pg-cpu", name="CPU high", kind="threshold", series="s1.cpu", warning=80, recovery=60)
    metric(follower, "s1.cpu", 95)  # ingested by either process, read by the leader from the shared store
    wait_until(lambda: hook.bodies, timeout=15, message="the firing notification")
    assert service(follower)["evaluations"] == 0
    assert follower.get("/api/alerts/rules/pg-cpu").json()["status"]["state"] == "firing"  # one truth, in PostgreSQL
    leader.kill_hard()
    wait_until(lambda: service(follower)["leading"], timeout=20, message="the follower to take the lead")
    wait_evaluations(follower, 10)
    assert follower.get("/api/alerts/rules/pg-cpu").json()["status"]["state"] == "firing"
    assert len(hook.bodies) == 1
    assert states_seen(follower, "pg-cpu").count("firing") == 1
    metric(follower, "s1.cpu", 40)
    wait_until(lambda: len(hook.bodies) == 2, timeout=15, message="the resolved notification, once")
    wait_evaluations(follower, 5)
    assert [b["status"] for b in hook.bodies] == ["firing", "resolved"]
