"""The OpenAPI paths of the integrations: OpenTelemetry in (hub/integrations/otlp.py), Prometheus out (prom.py).

Merged into the document by hub/api/openapi.py, like hub/access/openapi.py and
hub/alerts/openapi.py; outside /api/ because their tools expect these paths.
"""

from __future__ import annotations

from typing import Any

from hub.api.schemas import error


def _otlp_request(message: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object", "description": f"{message}, OTLP/JSON mapping"}},
        },
    }


def _otlp_answer(partial: str) -> dict[str, Any]:
    return {
        "description": f"ingested; points the hub could not hold are counted in partialSuccess.{partial}",
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }


def integration_paths() -> dict[str, Any]:
    """OpenTelemetry in (hub/integrations/otlp.py) and Prometheus out (hub/integrations/prom.py): paths their tools expect, outside /api/."""
    errors = {
        "400": error("the body is not a valid export request (protobuf or OTLP/JSON)"),
        "401": error("missing or wrong token (only when the server has one)"),
        "413": error("body over the limit (after decompression), or more events than a batch may hold"),
        "415": error("a content type or encoding the receiver does not read"),
        "429": error("the producer (token) is over its rate; nothing was stored"),
        "503": error("the store cannot take writes; nothing was stored, retry later"),
    }
    note = (
        "OTLP/HTTP: application/x-protobuf or application/json, optionally Content-Encoding gzip or deflate. "
        "All or nothing, with the token, rate and limits of POST /api/events. "
    )
    return {
        "/v1/metrics": {
            "post": {
                "operationId": "otlpMetrics",
                "summary": "OpenTelemetry metrics: gauges, sums, histograms and summaries become series",
                "description": note + 'Series are named metric{label="value",...}: service.namespace, '
                "service.name and the point's attributes, sorted by key; histograms give .count, .sum, .min "
                "and .max series. They travel as metrics.update events whose source is the service.",
                "security": [{}, {"bearerToken": []}],
                "requestBody": _otlp_request("ExportMetricsServiceRequest"),
                "responses": {"200": _otlp_answer("rejectedDataPoints"), **errors},
            }
        },
        "/v1/logs": {
            "post": {
                "operationId": "otlpLogs",
                "summary": "OpenTelemetry log records become notification events (severity -> level)",
                "description": note + "TRACE to INFO -> info, WARN -> warning, ERROR and FATAL -> error; the "
                "title is the body's first line, the message the body.",
                "security": [{}, {"bearerToken": []}],
                "requestBody": _otlp_request("ExportLogsServiceRequest"),
                "responses": {"200": _otlp_answer("rejectedLogRecords"), **errors},
            }
        },
        "/metrics": {
            "get": {
                "operationId": "prometheusMetrics",
                "summary": "The hub's own health for Prometheus: ingest, delivery, sockets, queues, store, health",
                "responses": {
                    "200": {
                        "description": "Prometheus text format (OpenMetrics when the scraper asks for it)",
                        "content": {
                            "text/plain": {"schema": {"type": "string"}},
                            "application/openmetrics-text": {"schema": {"type": "string"}},
                        },
                    }
                },
            }
        },
    }
