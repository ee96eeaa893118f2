"""The OTLP receiver's series names and levels: a documented contract (README "From a service"), so pinned here."""

from __future__ import annotations

from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord

from hub.integrations.otlp_events import level_of, series_name


def test_series_names_sort_labels_and_escape_values_as_prometheus_does() -> None:
    assert series_name("queue.depth", {}) == "queue.depth"
    assert series_name("queue.depth", {"service.name": "w", "queue": "mail"}) == (
        'queue.depth{queue="mail",service.name="w"}'
    )
    # a value cannot close the quotes or forge another label
    assert series_name("m", {"k": 'a",evil="1'}) == 'm{k="a\\",evil=\\"1"}'
    assert series_name("m", {"k": "back\\slash"}) == 'm{k="back\\\\slash"}'


def test_severity_number_or_text_gives_the_notification_level() -> None:
    by_number = {1: "info", 5: "info", 9: "info", 12: "info", 13: "warning", 16: "warning", 17: "error", 24: "error"}
    for number, level in by_number.items():
        assert level_of(LogRecord(severity_number=number)) == level, number
    by_text = {
        "WARNING": "warning",
        "Error": "error",
        "FATAL": "error",
        "critical": "error",
        "DEBUG": "info",
        "": "info",
    }
    for text, level in by_text.items():
        assert level_of(LogRecord(severity_text=text)) == level, text
