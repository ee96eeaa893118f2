"""What an OTLP export becomes: ordinary events (the receiver is hub/integrations/otlp.py).

- Metrics: every gauge, sum, histogram, exponential histogram and summary data
  point becomes a sample of a series, carried by ``metrics.update`` events (one
  per source and timestamp). Series names are stable and documented in README:
  the metric name, then its labels in Prometheus style, sorted by key:
  ``queue.depth{queue="mail",service.name="worker"}``. The labels are the
  resource's ``service.namespace`` and ``service.name`` and the data point's own
  attributes (which win on a clash); other resource attributes (host, pid, SDK
  version) are left out so that a restart does not start new series. Sums keep
  their exported value (cumulative stays cumulative); histograms and summaries
  give ``<name>.count``, ``<name>.sum`` and, when exported, ``<name>.min`` and
  ``<name>.max``; summary quantiles are ``<name>{quantile="0.99",...}``.
- Logs: every log record becomes a ``notification``: severity TRACE..INFO ->
  info, WARN -> warning, ERROR and FATAL -> error (by severity text when the
  number is unset); the title is the body's first line, the message the body.

The events' source is ``service.namespace/service.name`` (the token's name when
the resource has none). Event ids are a hash of what was exported, so that an
exporter retrying a request the hub did store gets duplicates, never a second
copy. Data points the hub cannot hold (NaN, a name over 200 characters) are
reported in the response's ``partial_success``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord

from hub.events.model import MAX_ATTRIBUTE_CHARS, MAX_SERIES_NAME_CHARS
from hub.events.times import iso_ms, received_now

RESOURCE_LABELS = ("service.namespace", "service.name")
FLAG_NO_RECORDED_VALUE = 1  # DataPointFlags: the point marks a gap, it has no value
MAX_TITLE_CHARS = 120
MAX_LABEL_CHARS = 200
SERIES_PER_EVENT = 400  # 400 series of at most 200 characters stay under the default 64 KiB of data


# -- values, labels, series names ---------------------------------------------------


def plain(value: AnyValue) -> Any:
    """An OTLP AnyValue as JSON-ready Python."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [plain(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: plain(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    if kind == "double_value" and not math.isfinite(value.double_value):
        return str(value.double_value)
    return getattr(value, kind) if kind else None


def label_text(value: AnyValue) -> str:
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return "true" if value.bool_value else "false"
    return orjson.dumps(plain(value)).decode()


def series_name(metric: str, labels: dict[str, str]) -> str:
    """``metric{key="value",...}``, keys sorted; quotes and backslashes in values escaped as Prometheus does."""
    if not labels:
        return metric
    escaped = (
        f'{key}="{value[:MAX_LABEL_CHARS].replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for key, value in sorted(labels.items())
    )
    return f"{metric}{{{','.join(escaped)}}}"


def source_of(resource_labels: dict[str, str], producer: str) -> str:
    name = resource_labels.get("service.name")
    if not name:
        return producer
    namespace = resource_labels.get("service.namespace")
    return (f"{namespace}/{name}" if namespace else name)[:MAX_ATTRIBUTE_CHARS]


def resource_labels(attributes: Iterable[KeyValue]) -> dict[str, str]:
    return {kv.key: label_text(kv.value) for kv in attributes if kv.key in RESOURCE_LABELS}


def time_of(unix_nano: int, received: tuple[str, float]) -> str:
    """ISO 8601 of an OTLP timestamp; 0 (unset) or out of range is the receive time."""
    if not unix_nano:
        return received[0]
    try:
        return iso_ms(unix_nano / 1e9)
    except (OverflowError, ValueError, OSError):
        return received[0]


def event_id(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:32]


# -- metrics ----------------------------------------------------------------------


class MetricEvents:
    """Collects samples of one export request into ``metrics.update`` events, one per source and time."""

    def __init__(self, producer: str) -> None:
        self.producer = producer
        self.received = received_now()
        self.samples: dict[tuple[str, str, bool], dict[str, float]] = {}
        self.rejected = 0
        self.reasons: list[str] = []

    def reject(self, reason: str) -> None:
        self.rejected += 1
        if len(self.reasons) < 3:
            self.reasons.append(reason)

    def add(self, source: str, unix_nano: int, name: str, value: float) -> None:
        if len(name) > MAX_SERIES_NAME_CHARS:
            self.reject(f"series name over {MAX_SERIES_NAME_CHARS} characters: {name[:60]}...")
        elif not math.isfinite(value):
            self.reject(f"{name[:80]}: {value} is not a finite number")
        else:
            key = (source, time_of(unix_nano, self.received), unix_nano != 0)
            self.samples.setdefault(key, {})[name] = value

    def read(self, export: ExportMetricsServiceRequest) -> None:
        for resource_metrics in export.resource_metrics:
            resource = resource_labels(resource_metrics.resource.attributes)
            source = source_of(resource, self.producer)
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    self.read_metric(source, resource, metric)

    def read_metric(self, source: str, resource: dict[str, str], metric: Any) -> None:
        kind = metric.WhichOneof("data")
        if kind is None:
            return
        for point in getattr(metric, kind).data_points:
            if point.flags & FLAG_NO_RECORDED_VALUE:
                continue
            labels = {**resource, **{kv.key: label_text(kv.value) for kv in point.attributes}}
            at = point.time_unix_nano
            if kind in ("gauge", "sum"):
                which = point.WhichOneof("value")
                if which is None:
                    self.reject(f"{metric.name}: a data point without a value")
                    continue
                self.add(source, at, series_name(metric.name, labels), float(getattr(point, which)))
                continue
            self.add(source, at, series_name(f"{metric.name}.count", labels), float(point.count))
            if kind == "summary" or point.HasField("sum"):
                self.add(source, at, series_name(f"{metric.name}.sum", labels), point.sum)
            for bound in ("min", "max"):
                if kind != "summary" and point.HasField(bound):
                    self.add(source, at, series_name(f"{metric.name}.{bound}", labels), getattr(point, bound))
            if kind == "summary":
                for q in point.quantile_values:
                    self.add(source, at, series_name(metric.name, {**labels, "quantile": f"{q.quantile:g}"}), q.value)

    def events(self) -> list[dict[str, Any]]:
        out = []
        for (source, when, timed), values in self.samples.items():
            names = list(values)
            for start in range(0, len(names), SERIES_PER_EVENT):
                data = {n: values[n] for n in names[start : start + SERIES_PER_EVENT]}
                event = {"type": "metrics.update", "source": source, "time": when, "data": data}
                if timed:  # the same points at the same time from the same source: the same event
                    event["id"] = event_id(
                        source.encode(), when.encode(), orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
                    )
                out.append(event)
        return out


# -- logs ---------------------------------------------------------------------------


def level_of(record: LogRecord) -> str:
    number = record.severity_number
    if number == 0:
        text = record.severity_text.strip().lower()
        if text.startswith("warn"):
            return "warning"
        if text.startswith(("err", "fatal", "crit", "alert", "emerg", "panic")):
            return "error"
        return "info"
    return "info" if number < 13 else "warning" if number < 17 else "error"


def fit(data: dict[str, Any], limit: int) -> dict[str, Any]:
    """Data within the hub's per-event limit: attributes go first, then the message is cut."""
    if len(orjson.dumps(data)) <= limit:
        return data
    data = {k: v for k, v in data.items() if k != "attributes"} | {"attributes_dropped": True}
    over = len(orjson.dumps(data)) - limit
    if over > 0 and "message" in data:
        raw = data["message"].encode()
        data["message"] = raw[: max(0, len(raw) - over - 8)].decode(errors="ignore") + "…"
    return data


def log_event(record: LogRecord, source: str, scope: str, received: tuple[str, float], limit: int) -> dict[str, Any]:
    body = record.body
    text = body.string_value if body.WhichOneof("value") == "string_value" else ""
    if not text and body.WhichOneof("value"):
        text = orjson.dumps(plain(body)).decode()
    first = text.strip().splitlines()[0] if text.strip() else ""
    title = first or record.event_name or record.severity_text or "log record"
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    data: dict[str, Any] = {"level": level_of(record), "title": title}
    if text and text != title:
        data["message"] = text
    data["severity"] = record.severity_text or str(record.severity_number)
    for key, raw in (("trace_id", record.trace_id), ("span_id", record.span_id)):
        if raw:
            data[key] = raw.hex()
    if scope:
        data["scope"] = scope
    if record.attributes:
        data["attributes"] = {kv.key: plain(kv.value) for kv in record.attributes}
    at = record.time_unix_nano or record.observed_time_unix_nano
    event = {"type": "notification", "source": source, "time": time_of(at, received), "data": fit(data, limit)}
    if at:  # a retried export sends the same record: the same id, stored once
        event["id"] = event_id(source.encode(), scope.encode(), record.SerializeToString(deterministic=True))
    return event


def log_events(export: ExportLogsServiceRequest, producer: str, limit: int) -> list[dict[str, Any]]:
    received = received_now()
    out = []
    for resource_logs in export.resource_logs:
        source = source_of(resource_labels(resource_logs.resource.attributes), producer)
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                out.append(log_event(record, source, scope_logs.scope.name, received, limit))
    return out
