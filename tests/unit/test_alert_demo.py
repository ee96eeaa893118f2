"""The demo's alert rules fire and resolve on their own on what the demo simulator publishes."""

from __future__ import annotations

import random

from hub.alerts.loader import DEMO_RULES, load_rules_file
from hub.alerts.machine import RuleState, step
from hub.demo.simulator import Simulator


def test_demo_threshold_rules_fire_and_resolve_within_fifteen_minutes_of_simulation() -> None:
    rules, _ = load_rules_file(DEMO_RULES)
    thresholds = [r for r in rules if r.kind == "threshold"]
    assert {r.id for r in thresholds} == {"traffic-peak", "queue-backlog"}
    sim = Simulator(random.Random(7))
    samples: dict[str, list[tuple[float, float]]] = {}
    states = {r.id: RuleState(r.id) for r in thresholds}
    seen: dict[str, list[str]] = {r.id: [] for r in thresholds}
    now = 0.0
    while now < 900:
        for type_, data in sim.next_events(now):
            if type_ == "metrics.update":
                for name, value in data.items():
                    samples.setdefault(name, []).append((now, value))
        if round(now * 5) % 5 == 0:  # evaluate every simulated second
            for rule in thresholds:
                points = samples.get(rule.series, [])
                if rule.reduce == "avg":
                    recent = [v for t, v in points if t >= now - rule.window_s]
                    value = sum(recent) / len(recent) if recent else None
                else:
                    value = points[-1][1] if points else None
                change = step(rule, states[rule.id], value, now)
                if change is not None:
                    states[rule.id] = change.after
                    seen[rule.id].append(change.after.state)
        now += 0.2
    for rule_id, states_seen in seen.items():
        assert "firing" in states_seen, rule_id
        assert "resolved" in states_seen[states_seen.index("firing") :], rule_id
