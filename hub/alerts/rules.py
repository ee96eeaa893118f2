"""The alert rule model and its validation: a rule is plain data checked once, here.

Three kinds, after Grafana alert rules and Netdata health alarms:

- ``threshold``: a numeric series compared ``above`` or ``below`` a ``warning``
  and/or ``critical`` level, held ``for`` a duration before it fires; it clears
  only past its ``recovery`` level (Netdata's hysteresis: a CPU rule firing above
  90 stays firing until CPU drops below 80). No sample for ``no_data`` seconds
  puts it in the no-data state (Grafana's NoData).
- ``absence``: no event of a ``type`` (optionally from one ``source``, or about
  one ``job``) for ``for`` seconds: a dead man's switch.
- ``rate``: events of a ``type`` per minute over ``window``, compared like a
  threshold.

Every bad field raises ``InvalidInput`` naming the field and how to fix it, so
the API, the rules file and the page report the same errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from hub.errors import InvalidInput
from hub.events.model import TYPE_PATTERN

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
KINDS = ("threshold", "absence", "rate")
REDUCERS = ("last", "avg", "min", "max")
SEVERITIES = ("critical", "warning", "info")
DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")
MAX_DURATION_S = 7 * 86400.0
MAX_WINDOW_S = 86400.0  # a rule reads at most a day of rollups per evaluation
MAX_RATE_WINDOW_S = 3600.0  # rate and absence count in memory, at most an hour back after a restart
MAX_TEXT = 500
FIELDS = {
    "id", "name", "kind", "series", "reduce", "window", "type", "source", "job", "op", "warning", "critical",
    "recovery", "for", "no_data", "severity", "notify", "repeat", "group", "enabled", "description",
}  # fmt: skip


def parse_duration(value: Any, name: str) -> float:
    """Seconds from a number or a Prometheus-style text ("90s", "5m", "1h30m")."""
    seconds: float | None = None
    if isinstance(value, bool):
        seconds = None
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            match = DURATION.match(text)
            if match and any(match.groups()):
                h, m, s = (float(g) if g else 0.0 for g in match.groups())
                seconds = h * 3600 + m * 60 + s
    if seconds is None or not math.isfinite(seconds) or not 0 <= seconds <= MAX_DURATION_S:
        raise InvalidInput(
            f"{name} must be a duration from 0 to 7 days: seconds (300) or text like 90s, 5m, 1h30m; got {value!r}"[
                :300
            ],
            field=name,
        )
    return seconds


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    kind: str
    series: str = ""
    reduce: str = "last"
    window_s: float = 60.0
    type: str = ""
    source: str = ""
    job: str = ""
    op: str = "above"
    warning: float | None = None
    critical: float | None = None
    recovery: float | None = None
    for_s: float = 0.0
    no_data_s: float = 300.0
    severity: str = "critical"
    notify: tuple[str, ...] | None = None  # contact point names; None: every configured one
    repeat_s: float | None = None  # None: the server's --alert-repeat-s
    group: str = "default"
    enabled: bool = True
    description: str = ""
    origin: str = field(default="api", compare=False)  # "api" or "file" (provisioned: read-only over the API)

    @property
    def trigger(self) -> float:
        """The level that starts the rule: the nearer of warning and critical."""
        levels = [v for v in (self.warning, self.critical) if v is not None]
        return min(levels) if self.op == "above" else max(levels)

    @property
    def clear(self) -> float:
        """The level the value must pass back over to resolve (hysteresis)."""
        return self.trigger if self.recovery is None else self.recovery

    def to_dict(self) -> dict[str, Any]:
        """The rule as the API and the rules file spell it."""
        raw = asdict(self)
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind}
        keys = {
            "threshold": ("series", "reduce", "window", "op", "warning", "critical", "recovery", "for", "no_data"),
            "rate": ("type", "source", "window", "op", "warning", "critical", "recovery", "for"),
            "absence": ("type", "source", "job", "for", "severity"),
        }[self.kind]
        renamed = {"window": "window_s", "for": "for_s", "no_data": "no_data_s"}
        for key in keys:
            out[key] = raw[renamed.get(key, key)]
        notify = list(self.notify) if self.notify is not None else None
        out |= {"notify": notify, "repeat": self.repeat_s, "group": self.group, "enabled": self.enabled}
        return out | {"description": self.description, "origin": self.origin}


def _text(raw: dict[str, Any], name: str, default: str = "", required: bool = False, limit: int = 200) -> str:
    value = raw.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        need = "a non-empty string" if required else "a string"
        raise InvalidInput(f"{name} must be {need} of at most {limit} characters, got {value!r}"[:300], field=name)
    return value.strip()


def _number(raw: dict[str, Any], name: str) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{name} must be a finite number, got {value!r}"[:300], field=name)
    return float(value)


def _choice(raw: dict[str, Any], name: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(name, default)
    if value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)}, got {value!r}"[:300], field=name)
    return str(value)


def _levels(raw: dict[str, Any], op: str) -> tuple[float | None, float | None, float | None]:
    warning, critical, recovery = _number(raw, "warning"), _number(raw, "critical"), _number(raw, "recovery")
    if warning is None and critical is None:
        raise InvalidInput("give warning, critical or both: the levels the rule fires at", field="warning")
    above = op == "above"
    if warning is not None and critical is not None and (critical < warning if above else critical > warning):
        word = "at or above" if above else "at or below"
        raise InvalidInput(f"critical must be {word} warning for an '{op}' rule", field="critical")
    trigger = min(v for v in (warning, critical) if v is not None)
    if not above:
        trigger = max(v for v in (warning, critical) if v is not None)
    if recovery is not None and (recovery > trigger if above else recovery < trigger):
        word = "at or below" if above else "at or above"
        raise InvalidInput(
            f"recovery must be {word} the level that fires ({trigger:g}) for an '{op}' rule: it is where "
            "the alert clears (hysteresis)",
            field="recovery",
        )
    return warning, critical, recovery


def parse_rule(raw: Any, origin: str = "api") -> Rule:
    """A validated Rule from its JSON/YAML form; InvalidInput names the first bad field."""
    if not isinstance(raw, dict):
        raise InvalidInput("a rule must be a JSON object with at least id, name and kind")
    unknown = sorted(set(raw) - FIELDS - {"origin"})
    if unknown:
        raise InvalidInput(f"unknown rule fields {unknown[:5]}: the fields are {sorted(FIELDS)}", field=unknown[0])
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise InvalidInput(
            "id must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit", field="id"
        )
    kind = _choice(raw, "kind", KINDS, "")
    common: dict[str, Any] = {
        "id": rule_id,
        "name": _text(raw, "name", required=True),
        "kind": kind,
        "group": _text(raw, "group", "default", required=True, limit=100),
        "description": _text(raw, "description", limit=MAX_TEXT),
        "origin": origin,
    }
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput(f"enabled must be true or false, got {enabled!r}"[:200], field="enabled")
    common["enabled"] = enabled
    notify = raw.get("notify")
    if notify is not None:
        if not isinstance(notify, list) or not all(isinstance(n, str) and n for n in notify) or len(notify) > 20:
            raise InvalidInput('notify must be a list of up to 20 contact point names, e.g. ["ops"]', field="notify")
        common["notify"] = tuple(notify)
    if raw.get("repeat") is not None:
        common["repeat_s"] = parse_duration(raw["repeat"], "repeat")
        if common["repeat_s"] < 1:
            raise InvalidInput(
                "repeat must be at least 1 second (it is how often a firing alert is re-sent)", field="repeat"
            )
    if kind == "threshold":
        op = _choice(raw, "op", ("above", "below"), "above")
        warning, critical, recovery = _levels(raw, op)
        reduce = _choice(raw, "reduce", REDUCERS, "last")
        window = parse_duration(raw.get("window", 60), "window")
        if reduce != "last" and not 1 <= window <= MAX_WINDOW_S:
            raise InvalidInput(f"window must be from 1 s to {MAX_WINDOW_S:g} s for reduce {reduce}", field="window")
        no_data = parse_duration(raw.get("no_data", 300), "no_data")
        return Rule(
            **common,
            series=_text(raw, "series", required=True),
            reduce=reduce,
            window_s=window,
            op=op,
            warning=warning,
            critical=critical,
            recovery=recovery,
            for_s=parse_duration(raw.get("for", 0), "for"),
            no_data_s=max(no_data, 1.0),
        )
    type_ = _text(raw, "type", required=True)
    if not TYPE_PATTERN.match(type_):
        raise InvalidInput(
            f"type must be an event type or prefix like ml.training.progress, got {type_!r}", field="type"
        )
    source = _text(raw, "source")
    if kind == "rate":
        op = _choice(raw, "op", ("above", "below"), "above")
        warning, critical, recovery = _levels(raw, op)
        window = parse_duration(raw.get("window", 60), "window")
        if not 1 <= window <= MAX_RATE_WINDOW_S:
            raise InvalidInput(f"window must be from 1 s to {MAX_RATE_WINDOW_S:g} s for a rate rule", field="window")
        return Rule(
            **common, type=type_, source=source, window_s=window, op=op, warning=warning, critical=critical,
            recovery=recovery, for_s=parse_duration(raw.get("for", 0), "for"),
        )  # fmt: skip
    for_s = parse_duration(raw.get("for", 300), "for")
    if not 1 <= for_s <= MAX_RATE_WINDOW_S:
        raise InvalidInput(f"for must be from 1 s to {MAX_RATE_WINDOW_S:g} s for an absence rule", field="for")
    return Rule(
        **common,
        type=type_,
        source=source,
        job=_text(raw, "job"),
        for_s=for_s,
        severity=_choice(raw, "severity", SEVERITIES, "critical"),
    )
