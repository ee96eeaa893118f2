"""The alert tables on a real SQLite file: two evaluators that overlap (a failover) record a transition once."""

from __future__ import annotations

from pathlib import Path

from hub.alerts.db import AlertDb
from hub.alerts.machine import RuleState, step
from hub.alerts.repo import AlertRepo
from hub.alerts.rules import parse_rule

RULE = parse_rule({"id": "cpu", "name": "CPU", "kind": "threshold", "series": "cpu.percent", "critical": 90})


def test_two_evaluators_on_one_table_record_and_notify_a_transition_once(tmp_path: Path) -> None:
    path = tmp_path / "alerts.sqlite3"
    old_leader, new_leader = AlertRepo(AlertDb(path)), AlertRepo(AlertDb(path))
    seen = RuleState("cpu")  # what both read before either wrote
    change = step(RULE, seen, 99.0, now=10.0)
    assert change is not None and change.notify
    event = {"id": "alert-x-cpu-1", "type": "alert", "data": {}}
    outbox = [("webhook", '{"rule_id": "cpu", "state": "firing", "severity": "critical", "repeat": false}')]
    assert old_leader.record(RULE, change, event, outbox) is True
    assert new_leader.record(RULE, change, event, outbox) is False  # the same transition: refused, nothing queued
    assert len(new_leader.due(now=1e12)) == 1
    assert [h["to"] for h in new_leader.history("cpu", 10)] == ["firing"]
    stored = new_leader.states()["cpu"]
    assert stored.state == "firing" and stored.n == 1
    # the next transition, made from what is stored, goes through once too
    resolved = step(RULE, stored, 10.0, now=20.0)
    assert resolved is not None
    assert new_leader.record(RULE, resolved, {**event, "id": "alert-x-cpu-2"}, outbox) is True
    assert old_leader.record(RULE, resolved, {**event, "id": "alert-x-cpu-2"}, outbox) is False
    assert len(old_leader.due(now=1e12)) == 2
    assert [e["id"] for _, e in old_leader.unpublished()] == ["alert-x-cpu-1", "alert-x-cpu-2"]
