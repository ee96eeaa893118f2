"""The hub and other tools' protocols: OpenTelemetry in, Prometheus out.

otlp.py         the OTLP/HTTP receiver at POST /v1/metrics and /v1/logs
otlp_events.py  OTLP metrics and log records turned into the hub's events
prom.py         GET /metrics: the hub's own health in the Prometheus text format
openapi.py      these paths in the OpenAPI document
"""
