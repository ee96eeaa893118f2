"""What each rule reads at an evaluation: a value, or None for no data.

Threshold rules read the store through the methods the REST API uses: ``series()``
(every series' last value and time, one query for all ``reduce: last`` rules) and
``query_series`` for ``avg``/``min``/``max`` over a window, one call per window
length for all rules sharing it; the store answers long windows from its rollups
as it does for GET /api/metrics. Absence and rate rules read the leader's
in-memory ``EventWatch``. Messages and titles for the ``alert`` events are
worded here too, beside the values they describe.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from hub.alerts.machine import Transition
from hub.alerts.rules import Rule
from hub.alerts.watch import EventWatch
from hub.events.times import parse_time

if TYPE_CHECKING:
    from hub.storage.interface import Store


def read_values(store: Store, watch: EventWatch, rules: list[Rule], now: float) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    latest_rules = [r for r in rules if r.kind == "threshold" and r.reduce == "last"]
    if latest_rules:
        latest = {s["name"]: s for s in store.series()}
        for rule in latest_rules:
            found = latest.get(rule.series)
            fresh = found is not None and now - parse_time(found["last"]).timestamp() <= rule.no_data_s
            values[rule.id] = float(found["last_value"]) if found is not None and fresh else None
    by_window: dict[float, list[Rule]] = defaultdict(list)
    for rule in rules:
        if rule.kind == "threshold" and rule.reduce != "last":
            by_window[rule.window_s].append(rule)
    for window, group in by_window.items():
        names = sorted({r.series for r in group})
        read = {s["name"]: s for s in store.query_series(names, now - window, now, 1)}
        for rule in group:
            points = read[rule.series]
            if not points["v"]:
                values[rule.id] = None
            elif rule.reduce == "min":
                values[rule.id] = float(min(points["min"]))
            elif rule.reduce == "max":
                values[rule.id] = float(max(points["max"]))
            else:
                values[rule.id] = float(sum(points["v"]) / len(points["v"]))
    for rule in rules:
        if rule.kind == "absence":
            values[rule.id] = watch.silence_s(rule, now)
        elif rule.kind == "rate":
            values[rule.id] = watch.per_minute(rule, now)
    return values


def subject(rule: Rule) -> str:
    if rule.kind == "threshold":
        return rule.series
    what = rule.type + (f" from {rule.source}" if rule.source else "") + (f" for job {rule.job}" if rule.job else "")
    return what if rule.kind == "absence" else f"{what} per minute"


def describe(rule: Rule, change: Transition) -> tuple[str, str, str, bool]:
    """The alert event's severity, title, message and resolved flag for a transition."""
    after, before = change.after, change.before
    value = after.value
    shown = "no data" if value is None else f"{value:.4g}"
    if rule.kind == "absence":
        now_text = f"no {subject(rule)} for {value:.0f} s (limit {rule.for_s:g} s)" if value is not None else ""
        back_text = f"{subject(rule)} is arriving again"
    else:
        levels = ", ".join(
            f"{name} {level:g}"
            for name, level in (("warning", rule.warning), ("critical", rule.critical))
            if level is not None
        )
        now_text = f"{subject(rule)} is {shown} ({rule.op} {levels}; clears past {rule.clear:g})"
        back_text = f"{subject(rule)} is {shown}, back {'below' if rule.op == 'above' else 'above'} {rule.clear:g}"
    if after.state == "firing":
        return after.severity, f"{rule.name} ({after.severity})", now_text, False
    if after.state == "pending":
        return "info", f"Pending: {rule.name}", f"{now_text}; fires if it holds for {rule.for_s:g} s", False
    if after.state == "nodata":
        return (
            "warning",
            f"No data: {rule.name}",
            f"{subject(rule)} has no sample in the last {rule.no_data_s:g} s",
            False,
        )
    # a resolution keeps the severity of what it resolves (the bell pairs them); a pending rule that never fired is news
    severity = before.severity if before.state == "firing" and before.severity in ("critical", "warning") else "info"
    word = "Resolved" if after.state == "resolved" else "OK"
    return severity, f"{word}: {rule.name}", back_text, True
