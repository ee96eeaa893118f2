"""OpenTelemetry in: the real OpenTelemetry SDK and its OTLP/HTTP exporters against the real server.

What a service's SDK exports (metrics as protobuf, gzip or deflate, and as the
OTLP/JSON mapping; log records through the stdlib logging bridge) is what
GET /api/metrics and GET /api/events show, under the series names and levels
README documents. The SDK is the peer, not payloads written here, because it is
what users run; the JSON cases encode the SDK's own data with the OTLP/JSON
rules (camelCase, enums as numbers, int64 as strings, ids in hex).
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from tests.server import ServerProcess

TOKEN = "otlp-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("otlp") / "data", "--no-collector", "--token", TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


def service(name: str) -> Resource:
    # host, process and SDK attributes come along, as in a real service; only the service's name may name series
    return Resource.create({"service.name": name, "service.namespace": "shop", "host.name": "box-1"})


def latest(hub: ServerProcess, names: list[str]) -> dict[str, float]:
    answer = hub.get("/api/metrics", params={"series": names, "since": 600})
    assert answer.status_code == 200, answer.text
    return {s["name"]: s["v"][-1] for s in answer.json()["series"] if s["v"]}


def events(hub: ServerProcess, type_: str, source: str) -> list[dict[str, Any]]:
    page = hub.get("/api/events", params={"type": type_, "limit": 5000}).json()
    return [e for e in page["events"] if e["source"] == source]


def labels(service_name: str, **more: str) -> str:
    pairs = {"service.name": service_name, "service.namespace": "shop", **more}
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(pairs.items())) + "}"


def record_metrics(provider: MeterProvider) -> None:
    meter = provider.get_meter("checkout.orders")
    orders = meter.create_counter("orders.placed")
    orders.add(3, {"region": "eu"})
    orders.add(4, {"region": "eu"})
    orders.add(1, {"region": "us"})
    meter.create_gauge("queue.depth").set(42.5, {"queue": "mail"})
    duration = meter.create_histogram("request.duration", unit="ms")
    for ms in (10, 20, 30):
        duration.record(ms, {"route": "/pay"})


def expected_series(service_name: str) -> dict[str, float]:
    return {
        "orders.placed" + labels(service_name, region="eu"): 7,
        "orders.placed" + labels(service_name, region="us"): 1,
        "queue.depth" + labels(service_name, queue="mail"): 42.5,
        "request.duration.count" + labels(service_name, route="/pay"): 3,
        "request.duration.sum" + labels(service_name, route="/pay"): 60,
        "request.duration.min" + labels(service_name, route="/pay"): 10,
        "request.duration.max" + labels(service_name, route="/pay"): 30,
    }


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip, Compression.Deflate])
def test_sdk_metrics_in_protobuf_are_the_series_charts_read(hub: ServerProcess, compression: Compression) -> None:
    name = f"checkout-{compression.value}"
    exporter = OTLPMetricExporter(endpoint=hub.url + "/v1/metrics", headers=AUTH, compression=compression)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=service(name), metric_readers=[reader])
    want = expected_series(name)
    try:
        record_metrics(provider)
        assert provider.force_flush(timeout_millis=10_000)
        assert latest(hub, list(want)) == want
        [event] = events(hub, "metrics.update", f"shop/{name}")  # one collection, one time: one event
        assert event["data"] == want
    finally:
        provider.shutdown()  # exports once more: the same values at a later time


def test_sdk_metrics_in_otlp_json_and_a_retry_is_stored_once(hub: ServerProcess) -> None:
    reader = InMemoryMetricReader()
    provider = MeterProvider(resource=service("checkout-json"), metric_readers=[reader])
    record_metrics(provider)
    export = encode_metrics(reader.get_metrics_data())
    provider.shutdown()
    body = json_format.MessageToDict(export, use_integers_for_enums=True)  # OTLP/JSON: enums are numbers
    first = requests.post(hub.url + "/v1/metrics", json=body, headers=AUTH, timeout=10)
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/json", first.text
    assert first.json() == {}  # no partial success to report
    before = hub.get("/api/status").json()["last_seq"]
    again = requests.post(hub.url + "/v1/metrics", json=body, headers=AUTH, timeout=10)  # an exporter's retry
    assert again.status_code == 200
    assert hub.get("/api/status").json()["last_seq"] == before
    want = expected_series("checkout-json")
    assert latest(hub, list(want)) == want
    assert len(events(hub, "metrics.update", "shop/checkout-json")) == 1


def test_sdk_log_records_are_notifications_in_the_feed(hub: ServerProcess) -> None:
    provider = LoggerProvider(resource=service("payments"))
    provider.add_log_record_processor(
        BatchLogRecordProcessor(OTLPLogExporter(endpoint=hub.url + "/v1/logs", headers=AUTH))
    )
    log = logging.getLogger("tests.otlp.payments")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    handler = LoggingHandler(level=logging.DEBUG, logger_provider=provider)
    log.addHandler(handler)
    try:
        log.debug("cache warm")
        log.info("deploy finished")
        log.warning("disk almost full\nvolume /data at 93 percent", extra={"volume": "/data"})
        log.error("charge failed")
        log.critical("database gone")
        assert provider.force_flush(timeout_millis=10_000)
    finally:
        log.removeHandler(handler)
        provider.shutdown()
    stored = events(hub, "notification", "shop/payments")
    assert [(e["data"]["level"], e["data"]["title"]) for e in stored] == [
        ("info", "cache warm"),
        ("info", "deploy finished"),
        ("warning", "disk almost full"),
        ("error", "charge failed"),
        ("error", "database gone"),
    ]
    warning = stored[2]["data"]
    assert warning["message"] == "disk almost full\nvolume /data at 93 percent"
    assert warning["severity"] == "WARN" and warning["attributes"]["volume"] == "/data"
    assert warning["scope"] == "tests.otlp.payments"


def test_log_records_in_otlp_json_keep_their_time_and_trace(hub: ServerProcess) -> None:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=service("jobs"))
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    provider.get_logger("jobs.nightly").emit(
        body="nightly export failed", severity_text="ERROR", timestamp=1_764_770_400_123_000_000
    )
    export = json_format.MessageToDict(encode_logs(exporter.get_finished_logs()), use_integers_for_enums=True)
    provider.shutdown()
    record = export["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    record["traceId"], record["spanId"] = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"  # hex, as OTLP/JSON
    assert requests.post(hub.url + "/v1/logs", json=export, headers=AUTH, timeout=10).status_code == 200
    [event] = events(hub, "notification", "shop/jobs")
    assert event["time"] == "2025-12-03T14:00:00.123Z"
    assert event["data"]["level"] == "error" and event["data"]["title"] == "nightly export failed"
    assert event["data"]["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert event["data"]["span_id"] == "eee19b7ec3c1b174"


def test_points_the_hub_cannot_hold_are_reported_as_partial_success(hub: ServerProcess) -> None:
    point = {"asDouble": "NaN", "timeUnixNano": "1764770400000000000"}
    good = {"asInt": "5", "timeUnixNano": "1764770400000000000"}
    body = {
        "resourceMetrics": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "partial"}}]},
                "scopeMetrics": [
                    {
                        "metrics": [
                            {"name": "bad.value", "gauge": {"dataPoints": [point]}},
                            {"name": "x" * 300, "gauge": {"dataPoints": [good]}},
                            {"name": "good.value", "gauge": {"dataPoints": [good]}},
                        ]
                    }
                ],
            }
        ]
    }
    answer = requests.post(hub.url + "/v1/metrics", json=body, headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    partial = answer.json()["partialSuccess"]
    assert int(partial["rejectedDataPoints"]) == 2
    assert "bad.value" in partial["errorMessage"] and "200 characters" in partial["errorMessage"]
    [event] = events(hub, "metrics.update", "partial")
    assert event["data"] == {'good.value{service.name="partial"}': 5}


def bad_requests(hub: ServerProcess) -> list[tuple[str, dict[str, str], bytes, int, str]]:
    json_type = {"Content-Type": "application/json", **AUTH}
    proto_type = {"Content-Type": "application/x-protobuf", **AUTH}
    bomb = gzip.compress(b"\0" * (4 * 2**20))  # 4 MiB of zeros in 4 KiB: over the 1 MiB limit once inflated
    logs = {"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "x"}}]}]}]}
    many = {"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "x"}}] * 1001}]}]}
    return [
        ("/v1/metrics", {"Content-Type": "application/json"}, b"{}", 401, "token"),
        ("/v1/logs", {"Content-Type": "application/json", "Authorization": "Bearer nope"}, b"{}", 401, "token"),
        ("/v1/metrics", {"Content-Type": "text/plain", **AUTH}, b"{}", 415, "application/x-protobuf"),
        ("/v1/metrics", proto_type, b"\xff\xff\xff\xff", 400, "protobuf"),
        ("/v1/metrics", json_type, b'{"resourceMetrics": ', 400, "JSON"),
        ("/v1/metrics", json_type, b"[1, 2]", 400, "JSON object"),
        ("/v1/metrics", json_type, b'{"resourceMetrics": 5}', 400, "OTLP/JSON"),
        (
            "/v1/logs",
            json_type,
            b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": "zz"}]}]}]}',
            400,
            "hex",
        ),
        ("/v1/metrics", {**json_type, "Content-Encoding": "gzip"}, bomb, 413, "decompressed"),
        ("/v1/metrics", {**json_type, "Content-Encoding": "gzip"}, b"not gzip", 400, "gzip"),
        ("/v1/metrics", {**json_type, "Content-Encoding": "br"}, b"{}", 415, "Content-Encoding"),
        ("/v1/metrics", json_type, b" " * (2**20 + 1), 413, "limit"),
        ("/v1/logs", json_type, json.dumps(many).encode(), 413, "batch size"),
        ("/v1/traces", json_type, json.dumps(logs).encode(), 404, "/v1/metrics"),
    ]


def test_bad_exports_get_a_clear_4xx_and_store_nothing(hub: ServerProcess) -> None:
    before = hub.get("/api/status").json()["last_seq"]
    for path, headers, body, status, hint in bad_requests(hub):
        answer = requests.post(hub.url + path, data=body, headers=headers, timeout=10)
        assert answer.status_code == status, (path, headers, answer.text)
        assert answer.headers["Content-Type"] == "application/json"
        assert hint in answer.json()["error"], answer.json()
    wrong_method = hub.get("/v1/metrics")
    assert wrong_method.status_code == 405 and "POST" in wrong_method.json()["error"]
    assert hub.get("/api/status").json()["last_seq"] == before
