"""OpenTelemetry in: an OTLP/HTTP receiver at POST /v1/metrics and POST /v1/logs.

A service that already runs the OpenTelemetry SDK points its OTLP/HTTP exporter
at the hub (``OTEL_EXPORTER_OTLP_ENDPOINT=http://hub:8050``), in protobuf
(``application/x-protobuf``) or the OTLP/JSON mapping (``application/json``),
optionally gzip- or deflate-compressed. What it exports becomes ordinary events
(hub/integrations/otlp_events.py), ingested like a POST /api/events (same token,
rate, body and batch limits, all or nothing). Malformed bodies are 400. Errors
use the hub's JSON shape ``{"error": ...}`` (OTLP suggests a protobuf Status;
SDKs log either as text).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator
from typing import Any, TypeVar

import orjson
from flask import Blueprint, Flask, Response, request
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from hub.api.ingest import read_body
from hub.api.interface import ApiHub
from hub.api.responses import error_response, json_response
from hub.errors import HubError, InvalidInput, MethodNotAllowed, NotFound, TooLarge, UnsupportedMedia
from hub.integrations.otlp_events import MetricEvents, log_events

PROTOBUF_TYPES = {"application/x-protobuf", "application/protobuf"}
JSON_TYPE = "application/json"

# the exporters' two compressions: gzip (the OTLP spec's) and zlib-wrapped deflate (the Python SDK's other one)
WINDOW_BITS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

M = TypeVar("M", bound=Message)


# -- decoding -------------------------------------------------------------------


def request_body(limit: int) -> bytes:
    """The body, un-gzipped; the size limit holds after decompression too (a small bomb is still 413)."""
    body = read_body(limit)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in WINDOW_BITS:
        raise UnsupportedMedia(f"Content-Encoding {encoding[:40]!r} is not accepted: send gzip, deflate or none")
    inflater = zlib.decompressobj(WINDOW_BITS[encoding])
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise InvalidInput(f"the body is not valid {encoding}: {exc}") from None
    if len(plain) > limit or inflater.unconsumed_tail:
        raise TooLarge(f"the body is over {limit} bytes once decompressed: export smaller batches")
    return plain


def _hex_ids_to_base64(tree: Any) -> None:
    """OTLP/JSON writes traceId and spanId in hex where protobuf's JSON mapping expects base64."""
    for resource in _dicts(tree.get("resourceLogs")):
        for scope in _dicts(resource.get("scopeLogs")):
            for record in _dicts(scope.get("logRecords")):
                for key in ("traceId", "spanId", "trace_id", "span_id"):
                    value = record.get(key)
                    if isinstance(value, str) and value:
                        try:
                            record[key] = base64.b64encode(bytes.fromhex(value)).decode()
                        except ValueError:
                            raise InvalidInput(f"log record {key} must be hex, got {value[:40]!r}") from None


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (v for v in value if isinstance(v, dict))


def decode(body: bytes, message: type[M]) -> tuple[M, bool]:
    """The export request in protobuf or OTLP/JSON, and whether the answer should be protobuf."""
    mimetype = request.mimetype
    parsed = message()
    if mimetype in PROTOBUF_TYPES:
        try:
            parsed.ParseFromString(body)
        except (DecodeError, RecursionError) as exc:
            raise InvalidInput(f"the body is not a valid {message.__name__} in protobuf: {exc}") from None
        return parsed, True
    if mimetype != JSON_TYPE:
        raise UnsupportedMedia(
            f"Content-Type {mimetype or '(none)'!r} is not accepted: OTLP/HTTP sends application/x-protobuf "
            "or application/json"
        )
    try:
        tree = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None
    if not isinstance(tree, dict):
        raise InvalidInput(f"the body must be a JSON object: an OTLP/JSON {message.__name__}")
    _hex_ids_to_base64(tree)
    try:
        json_format.ParseDict(tree, parsed, ignore_unknown_fields=True)  # OTLP/JSON: unknown fields are ignored
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise InvalidInput(f"the body is not a valid OTLP/JSON {message.__name__}: {str(exc)[:300]}") from None
    return parsed, False


def answer(message: Message, as_protobuf: bool) -> Response:
    if as_protobuf:
        return Response(message.SerializeToString(), mimetype="application/x-protobuf")
    return json_response(json_format.MessageToDict(message))


# -- routes -------------------------------------------------------------------------


def register_otlp(server: Flask, hub: ApiHub) -> None:
    otlp = Blueprint("mova_otlp", __name__, url_prefix="/v1")
    settings = hub.settings

    def ingest(events: list[dict[str, Any]], producer: str) -> None:
        if len(events) > settings.max_batch_events:
            raise TooLarge(
                f"this export makes {len(events)} events; the limit is {settings.max_batch_events} a request: "
                "lower the exporter's batch size (OTEL_BLRP_MAX_EXPORT_BATCH_SIZE for logs)"
            )
        if events:
            hub.gate.admit(producer, len(events))
            hub.ingest(events, producer)

    @otlp.post("/metrics")
    def post_metrics() -> Response:
        producer = hub.gate.identify(request.headers.get("Authorization"))
        export, as_protobuf = decode(request_body(settings.max_body_bytes), ExportMetricsServiceRequest)
        collected = MetricEvents(producer)
        collected.read(export)
        ingest(collected.events(), producer)
        reply = ExportMetricsServiceResponse()
        if collected.rejected:
            reply.partial_success.rejected_data_points = collected.rejected
            reply.partial_success.error_message = "; ".join(collected.reasons)
        return answer(reply, as_protobuf)

    @otlp.post("/logs")
    def post_logs() -> Response:
        producer = hub.gate.identify(request.headers.get("Authorization"))
        export, as_protobuf = decode(request_body(settings.max_body_bytes), ExportLogsServiceRequest)
        ingest(log_events(export, producer, settings.max_data_bytes), producer)
        return answer(ExportLogsServiceResponse(), as_protobuf)

    @otlp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def other(rest: str) -> Response:
        if rest in ("metrics", "logs"):
            raise MethodNotAllowed(f"/v1/{rest} takes POST only (an OTLP/HTTP export)")
        raise NotFound(f"no OTLP endpoint /v1/{rest[:80]}: the hub receives /v1/metrics and /v1/logs (not traces)")

    otlp.register_error_handler(HubError, error_response)

    server.register_blueprint(otlp)
