"""The OpenAPI 3.1 description of the HTTP API (DESIGN.md §3), served at GET /api/openapi.json.

Written by hand as plain data, next to the routes it describes, because the
contract is DESIGN.md rather than whatever the code happens to do: a test
checks that every /api/ route of the real app appears here, and schemathesis
checks every response of the real server against it. The WebSocket at /ws has
no OpenAPI form, so its protocol is described in ``info.description`` and in
the ``x-websocket`` extension.
"""

from __future__ import annotations

import copy
from typing import Any

from hub.alerts.openapi import ALERT_SCHEMAS, alert_paths
from hub.api import DEFAULT_LIMIT, DEFAULT_POINTS, JSON_TYPES, MAX_LIMIT, MAX_POINTS
from hub.events import MAX_ATTRIBUTE_CHARS, TYPE_PATTERN
from hub.export import EVENT_FORMATS, METRIC_FORMATS

API_VERSION = "1.0.0"
PREFIX_PATTERN = TYPE_PATTERN.pattern
BATCH_TYPE = "application/cloudevents-batch+json"

DESCRIPTION = """\
MOVA Live: services publish events over HTTP; the hub stores them and pushes
them to every open dashboard over a WebSocket.

Events are CloudEvents 1.0 in structured JSON. On ingest only `type` and `data`
are required; the hub fills `specversion`, `id`, `source` and `time` and adds
`seq`, a strictly increasing position in the stream. Known types (system.*,
ml.*, file.*, user.*, notification, alert, plugin.*, metrics.update,
analytics.update) have their `data` validated strictly; other types matching
the pattern take any JSON object. (`source`, `id`) is an idempotency key.

POST /api/events also takes one event in CloudEvents binary mode: `ce-type`,
`ce-source`, `ce-id`, `ce-time` (and other `ce-*`) headers with `data` as the
JSON body.

Every error is `{"error": "what went wrong and how to fix it", ...details}`.

## WebSocket: GET /ws?after=<seq>&type=<prefix>&epoch=<epoch>&frame_ms=<ms>

Server to client, JSON text frames:
- `{"kind": "hello", "last_seq": n, "first_seq": m, "epoch": "...", "server_time": "...", "heartbeat_s": 30,
  "health": {...}}` first (health as in GET /api/status);
- `{"kind": "reset", "n": 1, "reason": "...", "last_seq", "first_seq", "epoch"}` right after hello when the
  client's position no longer exists (store recreated: `epoch` differs; `after` beyond last_seq;
  events after it removed by retention): reload state from REST, then carry on live;
- `{"kind": "events", "n": k, "events": [...]}`: a batch in `seq` order; `n`
  numbers this connection's frames after hello 1, 2, 3..., whatever their kind. With `after`, stored events after
  that `seq` are replayed first, then live events follow with no gap and no
  duplicate. A jump in `n` means a lost frame: backfill from GET /api/events
  (and re-read GET /api/status, in case the lost frame was a health frame);
- `{"kind": "pong", "n": k}` answering a ping;
- `{"kind": "gap", "n": k, "after": seq}` when the client fell too far behind: fetch the
  rest from GET /api/events and carry on;
- `{"kind": "health", "n": k, "state": ..., "message": ...}` when the store starts or stops failing to write.

Each client gets at most one events frame per 50 ms by default (what the browser's
WebSocket component keeps up with); `frame_ms=0` asks for batches as they come.
The server pings every heartbeat and drops a socket that did not answer by the next.
A client may send 100 frames a minute; beyond that they are ignored with one error frame.

Client to server: `{"kind": "ping"}`, `{"kind": "subscribe", "type": [...]}`;
anything else gets `{"kind": "error", ...}` and the connection stays up.
A foreign `Origin` is refused with 403; a bad `after`, `type` or `frame_ms` with 400; beyond
the connection cap, 503.
"""

WEBSOCKET = {
    "path": "/ws",
    "query": {
        "after": "resume after this seq: replay what was stored after it, then go live",
        "type": "type prefix to follow (repeatable or comma-separated); none means all",
        "epoch": "the store epoch the client's seq belongs to; a different one gets a reset frame",
        "frame_ms": "this client's minimum milliseconds between events frames (default 50; 0 = at once)",
    },
    "server_frames": ["hello", "reset", "events", "pong", "gap", "health", "error"],
    "client_frames": ["ping", "subscribe"],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error"))}


SEQ = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}  # SQLite INTEGER
NULLABLE_SEQ = {"type": ["integer", "null"], "minimum": 1}
TIMESTAMP = {"type": "string", "description": "UTC, ISO 8601 with milliseconds, e.g. 2026-11-26T14:00:00.123Z"}
# seconds ago, negative for the future; bounded so that the time is a real date
MAX_SECONDS_AGO = 1e9
TIME_PARAMETER = {
    "oneOf": [
        {"type": "string", "format": "date-time"},
        {"type": "number", "minimum": -MAX_SECONDS_AGO, "maximum": MAX_SECONDS_AGO},
    ]
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "what went wrong and how to fix it"},
            "field": {"type": "string", "description": "the event field at fault"},
            "index": {"type": "integer", "minimum": 0, "description": "position of the event at fault in the batch"},
            "parameter": {"type": "string", "description": "the query parameter at fault"},
        },
        "additionalProperties": True,
    },
    "EventIn": {
        "type": "object",
        "description": "An event to publish. Known types have their data validated field by field.",
        "required": ["type", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            # null is taken as absent, as CloudEvents' JSON format allows: the hub fills it in
            "id": {"type": ["string", "null"], "minLength": 1, "maxLength": MAX_ATTRIBUTE_CHARS},
            "source": {"type": ["string", "null"], "minLength": 1, "maxLength": MAX_ATTRIBUTE_CHARS},
            "type": {"type": "string", "pattern": TYPE_PATTERN.pattern, "maxLength": MAX_ATTRIBUTE_CHARS},
            "time": {"type": ["string", "null"], "format": "date-time"},
            "data": {"type": "object"},
        },
        "additionalProperties": True,
    },
    "Batch": {
        "type": "array",
        "description": "Events stored all or nothing; over max_batch_events (default 1000) is a 413.",
        "items": _ref("EventIn"),
        "minItems": 1,
    },
    "Event": {
        "type": "object",
        "description": "A stored event: a CloudEvents 1.0 envelope plus the hub's seq.",
        "required": ["specversion", "id", "source", "type", "time", "data", "seq"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "minLength": 1},
            "source": {"type": "string", "minLength": 1},
            "type": {"type": "string", "pattern": TYPE_PATTERN.pattern},
            "time": {"type": "string"},
            "data": {"type": "object"},
            "seq": {"type": "integer", "minimum": 1},
        },
        "additionalProperties": True,
    },
    "Accepted": {
        "type": "object",
        "required": ["accepted", "duplicates", "first_seq", "last_seq"],
        "properties": {
            "accepted": {"type": "integer", "minimum": 0},
            "duplicates": {"type": "integer", "minimum": 0},
            "first_seq": {**NULLABLE_SEQ, "description": "seq of the first event stored; null if all were duplicates"},
            "last_seq": {**NULLABLE_SEQ, "description": "seq of the last event stored; null if all were duplicates"},
        },
        "additionalProperties": False,
    },
    "EventPage": {
        "type": "object",
        "required": ["events", "last_seq", "first_seq", "epoch", "more"],
        "properties": {
            "events": {"type": "array", "items": _ref("Event")},
            "last_seq": {**SEQ, "description": "the newest seq in the store, whatever the filter"},
            "first_seq": {**SEQ, "description": "the oldest seq still stored: a client behind it lost events"},
            "epoch": {"type": "string", "description": "identifies this store; a change means reload"},
            "more": {"type": "boolean", "description": "true when the page was cut by limit"},
        },
        "additionalProperties": False,
    },
    "HealthState": {
        "type": "object",
        "description": "The data of the latest system.status event, with its time and source.",
        "required": ["state", "time"],
        "properties": {
            "state": {"enum": ["healthy", "degraded", "down", "unknown"]},
            "message": {"type": "string"},
            "components": {
                "type": "object",
                "additionalProperties": {"enum": ["healthy", "degraded", "down"]},
            },
            "time": {"type": "string"},
            "source": {"type": "string"},
        },
        "additionalProperties": True,
    },
    "Status": {
        "type": "object",
        "required": [
            "health",
            "metrics",
            "uptime_s",
            "started",
            "clients",
            "last_seq",
            "first_seq",
            "epoch",
            "server_time",
            "state",
        ],
        "properties": {
            "health": _ref("HealthState"),
            "metrics": {
                "type": "object",
                "description": "latest value of every series",
                "additionalProperties": {"type": "number"},
            },
            "uptime_s": {"type": "number", "minimum": 0},
            "started": TIMESTAMP,
            "clients": {"type": "integer", "minimum": 0, "description": "open WebSocket connections"},
            "last_seq": SEQ,
            "first_seq": {**SEQ, "description": "oldest seq still stored (last_seq + 1 when empty)"},
            "epoch": {"type": "string", "description": "identifies this store; it changes if the store is recreated"},
            "server_time": TIMESTAMP,
            "state": {
                "type": "object",
                "description": "current jobs, models, transfers, presence, plugins and prediction summary, "
                "folded from the stream (hub/state.py), so a page rebuilds its panels after a reload",
                "required": ["jobs", "models", "transfers", "presence", "plugins", "predictions"],
                "properties": {
                    key: {"type": "array", "items": {"type": "object"}}
                    for key in ("jobs", "models", "transfers", "presence", "plugins", "predictions")
                },
            },
        },
        "additionalProperties": False,
    },
    "Series": {
        "type": "object",
        "required": ["name", "resolution", "t", "v", "min", "max"],
        "properties": {
            "name": {"type": "string"},
            "resolution": {
                "enum": ["raw", "10s", "1m", "1h"],
                "description": "what the buckets were read from: raw samples or a rollup",
            },
            "t": {"type": "array", "items": {"type": "string"}, "description": "bucket start times"},
            "v": {"type": "array", "items": {"type": "number"}, "description": "bucket averages"},
            "min": {"type": "array", "items": {"type": "number"}},
            "max": {"type": "array", "items": {"type": "number"}},
        },
        "additionalProperties": False,
    },
    "Metrics": {
        "type": "object",
        "required": ["since", "until", "max_points", "series"],
        "properties": {
            "since": TIMESTAMP,
            "until": TIMESTAMP,
            "max_points": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
            "series": {"type": "array", "items": _ref("Series")},
        },
        "additionalProperties": False,
    },
    "SeriesList": {
        "type": "object",
        "required": ["series"],
        "properties": {
            "series": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "first", "last", "last_value"],
                    "properties": {
                        "name": {"type": "string"},
                        "first": TIMESTAMP,
                        "last": TIMESTAMP,
                        "last_value": {"type": "number"},
                    },
                    "additionalProperties": False,
                },
            }
        },
        "additionalProperties": False,
    },
}


def _type_parameter() -> dict[str, Any]:
    return {
        "name": "type",
        "in": "query",
        "description": "type prefix by whole segments ('ml' matches ml.training.progress); repeatable or comma-separated",
        "schema": {"type": "array", "items": {"type": "string", "pattern": PREFIX_PATTERN}},
        "style": "form",
        "explode": True,
    }


def _series_parameter() -> dict[str, Any]:
    return {
        "name": "series",
        "in": "query",
        "description": "series names (repeatable); none means every known series",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    }


def _seq_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": SEQ}


def _time_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": TIME_PARAMETER}


def _event_filter_parameters() -> list[dict[str, Any]]:
    return [
        _type_parameter(),
        _time_parameter("since", "only events at or after this time (ISO 8601 or seconds ago)"),
        _time_parameter("until", "only events at or before this time (ISO 8601 or seconds ago)"),
        {
            "name": "q",
            "in": "query",
            "description": "text search, case-insensitive, anywhere in the event",
            "schema": {"type": "string", "maxLength": 200},
        },
    ]


def _download(formats: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename=mova-<kind>-<since>-<until>.<format>",
                "schema": {"type": "string"},
            }
        },
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in formats.values()},
    }


def _paths() -> dict[str, Any]:
    bad_request = _error("invalid input: the body or a parameter, named in the error")
    events_body: dict[str, Any] = {
        media: {"schema": {"oneOf": [_ref("EventIn"), _ref("Batch")]}} for media in sorted(JSON_TYPES)
    }
    events_body[BATCH_TYPE] = {"schema": _ref("Batch")}
    return {
        "/api/events": {
            "post": {
                "operationId": "publishEvents",
                "summary": "Publish one event or a batch (all or nothing)",
                "description": "A JSON object is one event, a JSON array a batch. If any event is invalid "
                "nothing is stored and the error names its index and field. Re-sent (source, id) pairs "
                "are counted as duplicates and stored once.",
                "security": [{}, {"bearerToken": []}],
                "requestBody": {"required": True, "content": events_body},
                "responses": {
                    "202": {"description": "stored durably", "content": _json(_ref("Accepted"))},
                    "400": bad_request,
                    "401": _error("missing or wrong token (only when the server has one)"),
                    "429": {
                        **_error("the producer (token) is over its rate; nothing was stored"),
                        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
                    },
                    "413": _error("body, batch or event data over the limits"),
                    "415": _error("a content type ingest does not read"),
                    "503": _error("the store cannot take writes; nothing was stored, retry later"),
                },
            },
            "get": {
                "operationId": "listEvents",
                "summary": "Events after (or before) a seq: the polling fallback and the feed's history",
                "parameters": [
                    _seq_parameter("after", "only events with a larger seq (oldest first)"),
                    _seq_parameter("before", "the page of events just before this seq (not with after)"),
                    *_event_filter_parameters(),
                    {
                        "name": "limit",
                        "in": "query",
                        "description": f"page size (default {DEFAULT_LIMIT})",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                    },
                ],
                "responses": {
                    "200": {"description": "a page of events in seq order", "content": _json(_ref("EventPage"))},
                    "400": bad_request,
                },
            },
        },
        "/api/status": {
            "get": {
                "operationId": "getStatus",
                "summary": "Snapshot: health, latest metric values, uptime, connected clients, last_seq",
                "responses": {"200": {"description": "the snapshot", "content": _json(_ref("Status"))}},
            }
        },
        "/api/health": {
            "get": {
                "operationId": "getHealth",
                "summary": "Liveness",
                "responses": {
                    "200": {
                        "description": "the server answers",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["ok"],
                                "properties": {"ok": {"const": True}},
                                "additionalProperties": False,
                            }
                        ),
                    }
                },
            }
        },
        "/api/metrics": {
            "get": {
                "operationId": "getMetrics",
                "summary": "Numeric series between two times, averaged into at most max_points buckets",
                "parameters": [
                    _series_parameter(),
                    _time_parameter("since", "ISO 8601 time or seconds ago (default 300 seconds ago)"),
                    _time_parameter("until", "ISO 8601 time or seconds ago (default now)"),
                    {
                        "name": "max_points",
                        "in": "query",
                        "description": f"most points per series (default {DEFAULT_POINTS})",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
                    },
                ],
                "responses": {
                    "200": {"description": "the series", "content": _json(_ref("Metrics"))},
                    "400": bad_request,
                },
            }
        },
        "/api/metrics/export": {
            "get": {
                "operationId": "exportMetrics",
                "summary": "Samples as a streamed file: CSV, JSON lines or Parquet, long or wide",
                "parameters": [
                    _series_parameter(),
                    _time_parameter("since", "ISO 8601 time or seconds ago (default: the beginning)"),
                    _time_parameter("until", "ISO 8601 time or seconds ago (default now)"),
                    {"name": "format", "in": "query", "schema": {"enum": list(METRIC_FORMATS)}},
                    {
                        "name": "layout",
                        "in": "query",
                        "description": "long: time, series, value; wide: one column per series by time bucket",
                        "schema": {"enum": ["long", "wide"]},
                    },
                    {
                        "name": "step",
                        "in": "query",
                        "description": "wide layout: bucket width in seconds (default 1)",
                        "schema": {"type": "number", "exclusiveMinimum": 0},
                    },
                    {
                        "name": "max_points",
                        "in": "query",
                        "description": "downsample each series to at most this many points",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
                    },
                ],
                "responses": {
                    "200": _download(METRIC_FORMATS, "the file, streamed"),
                    "400": bad_request,
                },
            }
        },
        "/api/events/export": {
            "get": {
                "operationId": "exportEvents",
                "summary": "Events as a streamed file (CSV or JSON lines), with the filters of GET /api/events",
                "parameters": [
                    _seq_parameter("after", "only events with a larger seq"),
                    _seq_parameter("before", "only events with a smaller seq"),
                    *_event_filter_parameters(),
                    {"name": "format", "in": "query", "schema": {"enum": list(EVENT_FORMATS)}},
                ],
                "responses": {"200": _download(EVENT_FORMATS, "the file, streamed"), "400": bad_request},
            }
        },
        "/api/metrics/series": {
            "get": {
                "operationId": "listSeries",
                "summary": "The series names known, with first and last time and last value",
                "responses": {"200": {"description": "the series", "content": _json(_ref("SeriesList"))}},
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1 document", "content": _json({"type": "object"})}},
            }
        },
    }


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document; a new dict each call, so callers may change theirs."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "MOVA Live", "version": API_VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": _paths() | alert_paths(),
        "components": {
            "schemas": SCHEMAS | ALERT_SCHEMAS,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the server's MOVA_TOKEN; needed for POST /api/events only when one is set",
                }
            },
        },
        "x-websocket": WEBSOCKET,
    }
    return copy.deepcopy(spec)
