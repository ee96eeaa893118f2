"""Validation: parse ingest bodies, check events, fill the envelope.

Events are CloudEvents 1.0 in structured JSON. Known types (DESIGN.md §2) have
their ``data`` checked field by field; other types matching the type pattern
take any JSON object. Validation of a batch is all-or-nothing: the first bad
event raises with its index and the field at fault.
"""

from __future__ import annotations

import itertools
import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import orjson

from hub.errors import InvalidInput, TooLarge
from hub.events.model import MAX_ATTRIBUTE_CHARS, MAX_SERIES_NAME_CHARS, TYPE_PATTERN, Limits, NewEvent
from hub.events.times import parse_time, received_now


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Field:
    """One field of a known type's data: a check, whether it is required, and what it expects."""

    check: Callable[[Any], bool]
    expected: str
    required: bool = True


def _str() -> Field:
    return Field(lambda v: isinstance(v, str) and v != "", "a non-empty string")


def _opt(f: Field) -> Field:
    return Field(f.check, f.expected, required=False)


def _one_of(*choices: str) -> Field:
    return Field(lambda v: v in choices, "one of " + ", ".join(choices))


NUMBER = Field(_is_number, "a finite number")
NON_NEGATIVE = Field(lambda v: _is_number(v) and v >= 0, "a number >= 0")
FRACTION = Field(lambda v: _is_number(v) and 0 <= v <= 1, "a number from 0 to 1")
COUNT = Field(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "an integer >= 0")
OBJECT = Field(lambda v: isinstance(v, dict), "an object")
BOOL = Field(lambda v: isinstance(v, bool), "true or false")
ANY_TEXT = Field(lambda v: isinstance(v, str), "a string")
STATE_MAP = Field(
    lambda v: isinstance(v, dict) and all(s in ("healthy", "degraded", "down") for s in v.values()),
    "an object of name -> healthy|degraded|down",
)
CHECK_MAP = Field(
    lambda v: isinstance(v, dict) and all(s in ("ok", "warn", "fail") for s in v.values()),
    "an object of name -> ok|warn|fail",
)
NUMBER_MAP = Field(
    lambda v: isinstance(v, dict) and all(_is_number(x) for x in v.values()), "an object of name -> number"
)
_TRANSFER = {
    "transfer": _str(),
    "name": _str(),
    "bytes": NON_NEGATIVE,
    "total": NON_NEGATIVE,
    "state": _one_of("running", "completed", "failed"),
}

# data schema of each known type; None means "a flat object of series name -> number"
KNOWN_TYPES: dict[str, dict[str, Field] | None] = {
    "system.status": {
        "state": _one_of("healthy", "degraded", "down"),
        "message": _opt(ANY_TEXT),
        "components": _opt(STATE_MAP),
    },
    "system.metrics": None,
    "system.health": {"checks": CHECK_MAP, "message": _opt(ANY_TEXT)},
    "ml.model.update": {
        "model": _str(),
        "version": _str(),
        "stage": _opt(_str()),
        "metrics": _opt(NUMBER_MAP),
    },
    "ml.training.progress": {
        "job": _str(),
        "progress": FRACTION,
        "state": _one_of("running", "completed", "failed", "cancelled"),
        "epoch": _opt(COUNT),
        "epochs": _opt(COUNT),
        "step": _opt(COUNT),
        "loss": _opt(NUMBER),
        "accuracy": _opt(NUMBER),
        "eta_s": _opt(NON_NEGATIVE),
        "model": _opt(_str()),
    },
    "ml.prediction.result": {
        "model": _str(),
        "latency_ms": NON_NEGATIVE,
        "label": _opt(ANY_TEXT),
        "confidence": _opt(FRACTION),
    },
    "file.operation": {
        "op": _str(),
        "path": _str(),
        "status": _one_of("ok", "failed"),
        "size": _opt(NON_NEGATIVE),
        "user": _opt(_str()),
    },
    "file.upload.progress": _TRANSFER,
    "file.download.progress": _TRANSFER,
    "user.activity": {"user": _str(), "action": _str(), "target": _opt(ANY_TEXT)},
    "user.presence": {"user": _str(), "state": _one_of("online", "away", "offline")},
    "notification": {
        "level": _one_of("success", "error", "warning", "info"),
        "title": _str(),
        "message": _opt(ANY_TEXT),
    },
    "alert": {
        "severity": _one_of("critical", "warning", "info"),
        "title": _str(),
        "message": _opt(ANY_TEXT),
        "resolved": _opt(BOOL),
    },
    "plugin.update": {"plugin": _str(), "version": _str(), "message": _opt(ANY_TEXT)},
    "plugin.status": {
        "plugin": _str(),
        "state": _one_of("active", "inactive", "error"),
        "message": _opt(ANY_TEXT),
    },
    "analytics.update": None,
    "metrics.update": None,
}
SERIES_TYPES = frozenset(t for t, schema in KNOWN_TYPES.items() if schema is None)
SAMPLE_TYPES = SERIES_TYPES | {"ml.training.progress"}  # the types samples_of reads numbers from


def _fail(
    index: int | None, field: str, message: str, error: type[InvalidInput] | type[TooLarge] = InvalidInput
) -> NoReturn:
    where = f"event {index}" if index is not None else "event"
    details: dict[str, Any] = {"field": field}
    if index is not None:
        details["index"] = index
    raise error(f"{where}: {field} {message}", **details)


def _check_data(index: int | None, type_: str, data: Any, limits: Limits) -> None:
    if not isinstance(data, dict):
        _fail(index, "data", 'must be a JSON object, e.g. {"title": "..."}')
    try:
        size = len(orjson.dumps(data))
    except orjson.JSONEncodeError as exc:  # e.g. an integer beyond 64 bits, from a Python caller
        _fail(index, "data", f"cannot be stored as JSON ({exc}): integers must fit in 64 bits")
    if size > limits.max_data_bytes:
        _fail(index, "data", f"is {size} bytes; the limit is {limits.max_data_bytes}", TooLarge)
    if type_ not in KNOWN_TYPES:
        return
    schema = KNOWN_TYPES[type_]
    if schema is None:
        for key, value in data.items():
            if len(key) > MAX_SERIES_NAME_CHARS:
                _fail(index, f"data.{key[:40]}...", f"series name is longer than {MAX_SERIES_NAME_CHARS} characters")
            if not _is_number(value):
                _fail(index, f"data.{key}", f"must be a finite number for {type_} (series name -> number)")
        return
    for name, spec in schema.items():
        if name not in data:
            if spec.required:
                _fail(index, f"data.{name}", f"is required for {type_}: {spec.expected}")
            continue
        if not spec.check(data[name]):
            _fail(index, f"data.{name}", f"must be {spec.expected}, got {orjson.dumps(data[name])[:80].decode()}")


def _check_attribute(index: int | None, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        _fail(index, name, "must be a non-empty string")
    if len(value) > MAX_ATTRIBUTE_CHARS:
        _fail(index, name, f"is longer than {MAX_ATTRIBUTE_CHARS} characters")
    return value


# Event ids the hub assigns: a random prefix per process and a counter. uuid4 per event
# cost a fifth of ingest time (a system call each); these are as unique and sort by arrival.
_ID_PREFIX = uuid.uuid4().hex[:16]
_ID_COUNTER = itertools.count()


def _new_id_prefix() -> None:
    # gunicorn workers (--workers) fork from one master: without this they would all assign the same ids
    global _ID_PREFIX, _ID_COUNTER
    _ID_PREFIX, _ID_COUNTER = uuid.uuid4().hex[:16], itertools.count()


os.register_at_fork(after_in_child=_new_id_prefix)


def new_event_id() -> str:
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


# types that passed the pattern: a producer sends few distinct types many times
_checked_types: set[str] = set()
MAX_CHECKED_TYPES = 10_000


def _check_type(type_: str) -> bool:
    if len(type_) > MAX_ATTRIBUTE_CHARS or not TYPE_PATTERN.match(type_):
        return False
    if len(_checked_types) < MAX_CHECKED_TYPES:
        _checked_types.add(type_)
    return True


def validate_event(
    raw: Any, index: int | None, default_source: str, limits: Limits, received: tuple[str, float] | None = None
) -> NewEvent:
    """Check one incoming event and fill the envelope's defaults."""
    if not isinstance(raw, dict):
        _fail(index, "event", "must be a JSON object with at least 'type' and 'data'")
    type_ = raw.get("type")
    if not isinstance(type_, str):
        _fail(index, "type", 'is required: a string such as "notification" or "ml.training.progress"')
    if type_ not in _checked_types and not _check_type(type_):
        _fail(index, "type", f"{type_[:80]!r} must match {TYPE_PATTERN.pattern} (lower case, dot-separated)")
    if "data" not in raw:
        _fail(index, "data", "is required: a JSON object")
    _check_data(index, type_, raw["data"], limits)
    spec = raw.get("specversion", "1.0")
    if spec != "1.0":
        _fail(index, "specversion", f'must be "1.0", got {spec!r}')
    # most producers leave id, source and time to the hub: check them only when given
    event_id = raw.get("id")
    assigned_id = event_id is None
    event_id = new_event_id() if assigned_id else _check_attribute(index, "id", event_id)
    source = raw.get("source")
    source = default_source if source is None else _check_attribute(index, "source", source)
    time_text = raw.get("time")
    if time_text is None:
        time_text, ts = received or received_now()
    else:
        if not isinstance(time_text, str):
            _fail(index, "time", "must be an ISO 8601 string such as 2026-11-26T14:00:00.123Z")
        try:
            ts = parse_time(time_text).timestamp()
        except ValueError:
            _fail(index, "time", f"{time_text[:60]!r} is not ISO 8601, e.g. 2026-11-26T14:00:00.123Z")
    envelope = {**raw, "specversion": "1.0", "id": event_id, "source": source, "type": type_, "time": time_text}
    if "seq" in envelope:
        del envelope["seq"]  # the store gives seq
    try:
        body = orjson.dumps(envelope).decode()
    except orjson.JSONEncodeError as exc:  # another attribute than data, from a Python caller
        _fail(index, "event", f"cannot be stored as JSON ({exc}): attributes must be strings, numbers or objects")
    return NewEvent(event_id, source, type_, time_text, ts, envelope, body, assigned_id)


def validate_batch(items: list[Any], default_source: str, limits: Limits) -> list[NewEvent]:
    if not items:
        raise InvalidInput("the batch is empty: send at least one event")
    if len(items) > limits.max_batch_events:
        raise TooLarge(f"{len(items)} events in one request; the limit is {limits.max_batch_events}: split the batch")
    received = received_now()
    return [validate_event(item, i, default_source, limits, received) for i, item in enumerate(items)]


def samples_of(event: NewEvent) -> list[tuple[str, float, float]]:
    """(series, ts, value) rows carried by a metric-bearing event."""
    data = event.envelope["data"]
    if event.type in SERIES_TYPES:
        return [(name, event.ts, float(value)) for name, value in data.items()]
    if event.type == "ml.training.progress":
        job = data["job"]
        return [
            (f"ml.{job}.{key}", event.ts, float(data[key]))
            for key in ("loss", "accuracy", "progress")
            if key in data and _is_number(data[key])
        ]
    return []


def loads(body: bytes) -> Any:
    """Parse JSON strictly: no NaN/Infinity, valid UTF-8 only."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
