"""Helpers the alert integration tests share: the real server's alert API in a few calls."""

from __future__ import annotations

from typing import Any

import requests

from tests.server import ServerProcess, wait_until

FAST = ("--no-collector", "--alert-interval-s", "0.2", "--alert-group-wait-s", "0", "--alert-retry-s", "0.2")


def put_rule(server: ServerProcess, **rule: Any) -> dict[str, Any]:
    response = requests.post(server.url + "/api/alerts/rules", json=rule, timeout=10)
    assert response.status_code == 201, response.text
    return dict(response.json())


def metric(server: ServerProcess, name: str, value: float) -> None:
    assert server.post({"type": "system.metrics", "data": {name: value}}).status_code == 202


def status(server: ServerProcess, rule_id: str) -> dict[str, Any]:
    response = server.get(f"/api/alerts/rules/{rule_id}")
    assert response.status_code == 200, response.text
    return dict(response.json()["status"])


def wait_state(server: ServerProcess, rule_id: str, state: str, timeout: float = 10.0) -> dict[str, Any]:
    return dict(
        wait_until(
            lambda: (s := status(server, rule_id))["state"] == state and s,
            timeout=timeout,
            message=f"rule {rule_id} to be {state}",
        )
    )


def evaluations(server: ServerProcess) -> int:
    return int(server.get("/api/alerts/rules").json()["service"]["evaluations"])


def wait_evaluations(server: ServerProcess, n: int = 3) -> None:
    """Let the evaluator run n more times (what a rule that should not move must survive)."""
    start = evaluations(server)
    wait_until(lambda: evaluations(server) >= start + n, timeout=15, message=f"{n} more evaluations")


def alert_events(server: ServerProcess, rule_id: str) -> list[dict[str, Any]]:
    events = server.get("/api/events", params={"type": "alert", "limit": 5000}).json()["events"]
    return [e for e in events if e["data"].get("rule_id") == rule_id]


def states_seen(server: ServerProcess, rule_id: str) -> list[str]:
    return [e["data"]["state"] for e in alert_events(server, rule_id)]
