"""Alert rules: validation names the bad field; the state machine's hysteresis, `for`, no-data and repeats."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.alerts.loader import RulesFileError, load_rules_file
from hub.alerts.machine import RuleState, due_repeat, level_of, retire, step
from hub.alerts.rules import parse_duration, parse_rule
from hub.errors import InvalidInput

CPU = {"id": "cpu", "name": "CPU high", "kind": "threshold", "series": "cpu.percent", "warning": 80, "critical": 95,
       "recovery": 70, "for": "2s"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("5m", 300), ("1h30m", 5400), (45, 45), ("2.5", 2.5), ("0", 0)]
)
def test_durations_read_like_prometheus(text: object, seconds: float) -> None:
    assert parse_duration(text, "for") == seconds


@pytest.mark.parametrize("text", ["5 minutes", "-1", "1d", True, "", "9999h", "nan"])
def test_bad_durations_are_refused_naming_the_field(text: object) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_duration(text, "for")
    assert info.value.details["field"] == "for"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"kind": "median"}, "kind"),
        ({"warning": None, "critical": None}, "warning"),
        ({"critical": 50}, "critical"),  # below warning on an 'above' rule
        ({"recovery": 85}, "recovery"),  # recovery above the firing level: no hysteresis, flapping
        ({"warning": "80"}, "warning"),
        ({"for": "soon"}, "for"),
        ({"reduce": "avg", "window": 0}, "window"),
        ({"colour": "red"}, "colour"),
        ({"notify": "ops"}, "notify"),
        ({"series": ""}, "series"),
    ],
)
def test_bad_rules_name_the_field_at_fault(change: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_rule({**CPU, **change})
    assert info.value.details["field"] == field
    assert info.value.status == 400


def test_rule_round_trips_through_its_api_form() -> None:
    for raw in (
        CPU,
        {"id": "quiet", "name": "Trainer quiet", "kind": "absence", "type": "ml.training.progress", "job": "r50",
         "for": "5m"},
        {"id": "errs", "name": "Errors", "kind": "rate", "type": "alert", "warning": 10, "window": 60},
    ):  # fmt: skip
        rule = parse_rule(raw)
        assert parse_rule(rule.to_dict()) == rule


def test_hysteresis_keeps_an_active_rule_until_the_recovery_level() -> None:
    rule = parse_rule(CPU)
    assert level_of(rule, 75, active=False) == "ok"  # below warning: does not start
    assert level_of(rule, 75, active=True) == "warning"  # but does not clear above recovery 70
    assert level_of(rule, 69, active=True) == "ok"
    assert level_of(rule, 96, active=False) == "critical"
    assert level_of(rule, 90, active=True, severity="critical") == "critical"  # holds until back under warning
    assert level_of(rule, 90, active=True, severity="warning") == "warning"
    below = parse_rule({**CPU, "op": "below", "warning": 20, "critical": 10, "recovery": 30})
    assert level_of(below, 25, active=False) == "ok"
    assert level_of(below, 25, active=True) == "warning"
    assert level_of(below, 5, active=False) == "critical"


def test_state_machine_pending_for_then_firing_then_resolved() -> None:
    rule = parse_rule(CPU)
    state = RuleState("cpu")
    pending = step(rule, state, 85, now=100.0)
    assert pending is not None and pending.after.state == "pending" and not pending.notify
    assert step(rule, pending.after, 85, now=101.9) is None  # held 1.9 s of 2
    firing = step(rule, pending.after, 85, now=102.0)
    assert firing is not None and firing.after.state == "firing" and firing.notify
    assert firing.after.severity == "warning"
    worse = step(rule, firing.after, 99, now=103.0)
    assert worse is not None and worse.after.severity == "critical" and worse.notify
    assert worse.after.since == firing.after.since  # still the same firing
    assert step(rule, worse.after, 99, now=104.0) is None
    resolved = step(rule, worse.after, 60, now=105.0)
    assert resolved is not None and resolved.after.state == "resolved" and resolved.notify and resolved.resolved
    assert [t.after.n for t in (pending, firing, worse, resolved)] == [1, 2, 3, 4]


def test_a_breach_shorter_than_for_never_fires_and_no_data_is_its_own_state() -> None:
    rule = parse_rule(CPU)
    pending = step(rule, RuleState("cpu"), 90, now=0.0)
    assert pending is not None
    back = step(rule, pending.after, 50, now=1.0)
    assert back is not None and back.after.state == "ok" and not back.notify
    nodata = step(rule, RuleState("cpu", state="firing", severity="warning", n=5), None, now=3.0)
    assert nodata is not None and nodata.after.state == "nodata" and nodata.notify  # a firing rule lost its data
    assert step(rule, nodata.after, None, now=4.0) is None
    quiet = step(rule, RuleState("cpu", state="pending", n=1), None, now=3.0)
    assert quiet is not None and quiet.after.state == "nodata" and not quiet.notify


def test_absence_fires_without_pending_and_repeats_stop_when_acknowledged() -> None:
    rule = parse_rule({"id": "q", "name": "quiet", "kind": "absence", "type": "ml.training.progress", "for": 60})
    assert step(rule, RuleState("q"), 59.0, now=0.0) is None
    fired = step(rule, RuleState("q"), 61.0, now=0.0)
    assert fired is not None and fired.after.state == "firing" and fired.after.severity == "critical"
    assert due_repeat(30, fired.after, now=29.0) is False
    assert due_repeat(30, fired.after, now=31.0) is True
    acked = RuleState(**{**fired.after.__dict__, "acked_by": "ana"})
    assert due_repeat(30, acked, now=31.0) is False
    gone = retire(fired.after, now=40.0)
    assert gone is not None and gone.after.state == "resolved" and gone.notify and gone.after.acked_by == ""


def test_rules_file_errors_name_the_file_the_rule_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - {id: cpu, name: CPU, kind: threshold, series: cpu.percent, warning: 80}\n"
                    "  - {id: mem, name: Mem, kind: threshold, series: mem.percent, warning: high}\n")  # fmt: skip
    with pytest.raises(RulesFileError, match=r"rules\[1\] \(mem\): warning must be a finite number"):
        load_rules_file(path)
    path.write_text("rules:\n  - {id: cpu, name: CPU, kind: threshold, series: x, warning: 1, notify: [pager]}\n")
    with pytest.raises(RulesFileError, match="unknown contact points"):
        load_rules_file(path)
    path.write_text("rules: [unclosed\n")
    with pytest.raises(RulesFileError, match="not valid YAML"):
        load_rules_file(path)
    path.write_text(
        "contact_points:\n  - {name: pager, type: webhook, url: http://127.0.0.1:9/x}\n"
        "rules:\n  - {id: cpu, name: CPU, kind: threshold, series: x, warning: 1, notify: [pager]}\n"
    )
    rules, points = load_rules_file(path)
    assert [r.id for r in rules] == ["cpu"] and rules[0].origin == "file" and points[0].name == "pager"


def test_event_wording_keeps_the_severity_of_what_resolves() -> None:
    from hub.alerts.readings import describe

    rule = parse_rule(CPU)
    pending = step(rule, RuleState("cpu"), 85, now=0.0)
    assert pending is not None
    calm = step(rule, pending.after, 50, now=1.0)
    assert calm is not None and describe(rule, calm)[0] == "info"  # never fired: no warning to clear
    firing = step(rule, RuleState("cpu", state="firing", severity="critical", n=3), 50, now=2.0)
    assert firing is not None
    severity, title, message, resolved = describe(rule, firing)
    assert (severity, title, resolved) == ("critical", "Resolved: CPU high", True)
    assert message == "cpu.percent is 50, back below 70"
