"""Event validation: known types strictly, unknown types by pattern, envelope defaults."""

from __future__ import annotations

import orjson
import pytest

from hub.errors import InvalidInput, TooLarge
from hub.events.model import Limits
from hub.events.validate import KNOWN_TYPES, samples_of, validate_batch, validate_event

LIMITS = Limits()

VALID = {
    "system.status": {"state": "healthy", "components": {"db": "degraded"}},
    "system.metrics": {"cpu.percent": 12.5},
    "system.health": {"checks": {"db": "ok"}},
    "ml.model.update": {"model": "m", "version": "2", "metrics": {"f1": 0.9}},
    "ml.training.progress": {"job": "j", "progress": 0.3, "state": "running", "epoch": 3, "loss": 0.4},
    "ml.prediction.result": {"model": "m", "latency_ms": 12, "confidence": 0.8},
    "file.operation": {"op": "delete", "path": "/x", "status": "ok"},
    "file.upload.progress": {"transfer": "t", "name": "a.bin", "bytes": 5, "total": 10, "state": "running"},
    "file.download.progress": {"transfer": "t", "name": "a.bin", "bytes": 10, "total": 10, "state": "completed"},
    "user.activity": {"user": "ann", "action": "login"},
    "user.presence": {"user": "ann", "state": "away"},
    "notification": {"level": "success", "title": "ok"},
    "alert": {"severity": "critical", "title": "disk", "resolved": False},
    "plugin.update": {"plugin": "p", "version": "1.2"},
    "plugin.status": {"plugin": "p", "state": "error"},
    "analytics.update": {"dau": 10},
    "metrics.update": {"queue.depth": 3},
}


def test_every_known_type_has_a_valid_example():
    assert set(VALID) == set(KNOWN_TYPES)


@pytest.mark.parametrize("type_", sorted(VALID))
def test_valid_known_types_pass(type_):
    event = validate_event({"type": type_, "data": VALID[type_]}, 0, "api", LIMITS)
    assert event.type == type_ and event.envelope["data"] == VALID[type_]


@pytest.mark.parametrize("type_", sorted(t for t, s in KNOWN_TYPES.items() if s))
def test_missing_required_field_names_it(type_):
    schema = KNOWN_TYPES[type_]
    required = next(name for name, spec in schema.items() if spec.required)
    data = {k: v for k, v in VALID[type_].items() if k != required}
    with pytest.raises(InvalidInput) as error:
        validate_event({"type": type_, "data": data}, 4, "api", LIMITS)
    assert error.value.details == {"field": f"data.{required}", "index": 4}


@pytest.mark.parametrize("value", [True, "1", float("nan"), float("inf"), None, [1]])
def test_series_values_must_be_finite_numbers(value):
    with pytest.raises(InvalidInput):
        validate_event({"type": "system.metrics", "data": {"cpu": value}}, 0, "api", LIMITS)


def test_defaults_are_filled_and_given_attributes_kept():
    event = validate_event({"type": "x.y", "data": {}}, 0, "token-name", LIMITS)
    assert event.source == "token-name" and len(event.id) == 32 and event.time.endswith("Z")
    kept = validate_event(
        {"type": "x", "data": {}, "id": "a", "source": "s", "time": "2026-01-01T00:00:00Z", "subject": "k", "seq": 9},
        0,
        "api",
        LIMITS,
    )
    assert (kept.id, kept.source, kept.time) == ("a", "s", "2026-01-01T00:00:00Z")
    assert kept.envelope["subject"] == "k" and "seq" not in kept.envelope
    assert kept.ts == 1767225600.0


def test_batch_limits():
    with pytest.raises(InvalidInput):
        validate_batch([], "api", LIMITS)
    with pytest.raises(TooLarge):
        validate_batch([{"type": "x", "data": {}}] * 3, "api", Limits(max_batch_events=2))
    with pytest.raises(TooLarge) as error:
        validate_batch([{"type": "x", "data": {"s": "a" * 100}}], "api", Limits(max_data_bytes=50))
    assert error.value.details["field"] == "data"


def test_samples_from_metric_bearing_types():
    metrics = validate_event({"type": "metrics.update", "data": {"a": 1, "b": 2.5}}, 0, "api", LIMITS)
    assert [(n, v) for n, _, v in samples_of(metrics)] == [("a", 1.0), ("b", 2.5)]
    training = validate_event({"type": "ml.training.progress", "data": VALID["ml.training.progress"]}, 0, "api", LIMITS)
    assert {n: v for n, _, v in samples_of(training)} == {"ml.j.loss": 0.4, "ml.j.progress": 0.3}
    note = validate_event({"type": "notification", "data": VALID["notification"]}, 0, "api", LIMITS)
    assert samples_of(note) == []


def test_assigned_ids_are_unique_and_share_one_receive_time_per_batch():
    batch = validate_batch([{"type": "x", "data": {}}] * 1000, "api", LIMITS)
    assert len({e.id for e in batch}) == 1000
    assert len({e.time for e in batch}) == 1


@pytest.mark.parametrize("name", ["id", "source"])
@pytest.mark.parametrize("value", ["", 7, "x" * 257])
def test_given_id_and_source_are_checked(name, value):
    with pytest.raises(InvalidInput) as error:
        validate_event({"type": "x", "data": {}, name: value}, 2, "api", LIMITS)
    assert error.value.details == {"field": name, "index": 2}


def test_body_is_the_envelope_encoded_once():
    event = validate_event({"type": "x", "data": {"a": [1, "é"]}, "subject": "k", "seq": 3}, 0, "api", LIMITS)
    assert event.body == orjson.dumps(event.envelope).decode()
    assert event.body_with_seq(12) == orjson.dumps({**event.envelope, "seq": 12}).decode()


def test_an_attribute_json_cannot_hold_is_invalid_input_from_a_python_caller():
    with pytest.raises(InvalidInput) as error:
        validate_event({"type": "x", "data": {}, "subject": {1, 2}}, 0, "api", LIMITS)
    assert error.value.details == {"field": "event", "index": 0}
