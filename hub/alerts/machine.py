"""The per-rule state machine: ok -> pending -> firing -> resolved, and no-data.

Pure functions over plain values, so that the whole behaviour is tested without
a server. ``level_of`` turns a reading into the level a rule is at (None: no
data), with Netdata's hysteresis: once active, a rule stays active until the
value passes back over its recovery level. ``step`` moves a rule's state one
evaluation on and says whether that was a transition worth an event and whether
it is worth a notification.

States, as Grafana names them (Normal/Pending/Alerting/NoData) in our words:

    ok ──breach──> pending ──held `for`──> firing ──clear──> resolved ──breach──> pending
     │                └──clear──> ok         │  (severity change: firing again)
     └──no sample for `no_data`──> nodata <───┘

``resolved`` behaves as ``ok``; it says the rule fired since it was last quiet.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hub.alerts.rules import Rule

ACTIVE = ("pending", "firing")
QUIET = ("ok", "resolved")


@dataclass(frozen=True)
class RuleState:
    """What is kept durably for one rule between evaluations (and across restarts)."""

    rule_id: str
    state: str = "ok"
    severity: str = ""
    since: float = 0.0  # when the current state began
    value: float | None = None
    n: int = 0  # transitions so far: the version the next write must see (no two evaluators both move it)
    last_notified: float = 0.0  # when a notification about this firing was last queued (repeat interval)
    acked_by: str = ""
    acked_at: float = 0.0


@dataclass(frozen=True)
class Transition:
    before: RuleState
    after: RuleState
    notify: bool  # firing, a change of severity while firing, resolved, or a firing rule losing its data

    @property
    def resolved(self) -> bool:
        return self.before.state == "firing" and self.after.state != "firing"


def level_of(rule: Rule, value: float | None, active: bool, severity: str = "") -> str | None:
    """'ok', 'warning' or 'critical' for a reading (None: no data). ``active``: pending or firing now, at
    ``severity``: a critical alert steps down to warning only back past the warning level, not at the
    critical one (the same hysteresis one level up: no flapping between the two)."""
    if value is None:
        return None
    if rule.kind == "absence":
        # value: seconds since the last matching event (inf: none in memory)
        return rule.severity if value >= rule.for_s else "ok"

    def beyond(level: float | None) -> bool:
        return level is not None and (value > level if rule.op == "above" else value < level)

    if beyond(rule.critical):
        return "critical"
    if active and severity == "critical" and beyond(rule.warning):
        return "critical"
    if beyond(rule.warning):
        return "warning"
    if active and (value > rule.clear if rule.op == "above" else value < rule.clear):
        # inside the hysteresis band: still active, at the lowest level the rule has
        return "warning" if rule.warning is not None else "critical"
    return "ok"


def step(rule: Rule, current: RuleState, value: float | None, now: float) -> Transition | None:
    """One evaluation: the transition it makes, or None when the rule stays where it is."""
    level = level_of(rule, value, current.state in ACTIVE, current.severity)
    state = current.state
    if level is None:
        if state == "nodata":
            return None
        return _move(current, "nodata", "warning", value, now, notify=state == "firing")
    if level == "ok":
        if state in QUIET:
            return None
        target = "resolved" if state == "firing" else "ok"
        return _move(current, target, "", value, now, notify=state == "firing")
    # breached
    if state == "firing":
        if level == current.severity:
            return None
        return _move(current, "firing", level, value, now, notify=True, keep_since=True)
    if state == "pending":
        if now - current.since >= rule.for_s:
            return _move(current, "firing", level, value, now, notify=True)
        return None
    if rule.for_s > 0 and rule.kind != "absence":
        return _move(current, "pending", level, value, now, notify=False)
    return _move(current, "firing", level, value, now, notify=True)


def _move(
    current: RuleState,
    state: str,
    severity: str,
    value: float | None,
    now: float,
    notify: bool,
    keep_since: bool = False,
) -> Transition:
    after = replace(
        current,
        state=state,
        severity=severity,
        since=current.since if keep_since else now,
        value=value,
        n=current.n + 1,
        last_notified=now if notify and state == "firing" else current.last_notified,
    )
    if state != "firing":
        after = replace(after, acked_by="", acked_at=0.0)  # an acknowledgement lasts one firing
    return Transition(current, after, notify)


def retire(current: RuleState, now: float) -> Transition | None:
    """A deleted or disabled rule lets go: a firing one resolves (and says so), a pending one goes quiet."""
    if current.state in QUIET:
        return None
    target = "resolved" if current.state == "firing" else "ok"
    return _move(current, target, "", current.value, now, notify=current.state == "firing")


def due_repeat(rule_repeat_s: float, current: RuleState, now: float) -> bool:
    """A firing, unacknowledged rule is re-sent every repeat interval (Alertmanager's repeat_interval)."""
    return current.state == "firing" and not current.acked_by and now - current.last_notified >= rule_repeat_s
