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

from hub.access.openapi import access_paths
from hub.alerts.openapi import ALERT_SCHEMAS, alert_paths
from hub.api import (
    DEFAULT_LIMIT,
    DEFAULT_POINTS,
    JSON_TYPES,
    MAX_LIMIT,
    MAX_POINTS,
    MAX_SERIES,
    MAX_STEP_S,
    MAX_WIDE_ROWS,
    MIN_STEP_S,
)
from hub.events.filter import MAX_TYPE_CHARS, MAX_TYPE_PREFIXES
from hub.events.model import MAX_ATTRIBUTE_CHARS, MAX_SERIES_NAME_CHARS, TYPE_PATTERN
from hub.export.events import EVENT_FORMATS
from hub.export.metrics import METRIC_FORMATS
from hub.storage.search import MAX_QUERY_CHARS

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
the connection cap, 503. A request that is not a WebSocket handshake gets 426 (with `Upgrade:
websocket`), a version other than 13 gets 426 (with `Sec-WebSocket-Version: 13`), a malformed
handshake (not a GET, no `Connection: Upgrade`, a bad `Sec-WebSocket-Key`) 400, all in the error
shape. Closing follows RFC 6455 both ways: a client's Close is answered before TCP ends, and a
closing server waits a second for the client's Close.
"""

LIMITS = f"""
## Limits and guards

Every parameter that sizes work is bounded, and a request beyond a bound is
a 400 naming the `parameter` before any work starts: `limit` <= {MAX_LIMIT},
`max_points` <= {MAX_POINTS}, at most {MAX_SERIES} `series` (one named twice counts
once; names <= {MAX_SERIES_NAME_CHARS} characters), at most {MAX_TYPE_PREFIXES} `type` prefixes
(<= {MAX_TYPE_CHARS} characters each), `q` <= {MAX_QUERY_CHARS} characters, times within about
31 years of now, the wide export's `step` from {MIN_STEP_S:g} to {MAX_STEP_S:g} seconds and at
most {MAX_WIDE_ROWS:,} rows over the span its series have samples in. A streamed
export stops when its client leaves.

Every response carries a Content-Security-Policy, `X-Content-Type-Options:
nosniff`, `X-Frame-Options: DENY` and a Referrer-Policy. A Host header this
server does not answer for (not localhost, the bound address, `--public-url`
or an `--allowed-host`) gets 421; a write from a browser page of a foreign
Origin gets 403. CSV cells that a spreadsheet would run as a formula (starting
with = + - @, tab or CR) are written with a leading single quote.
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
            "more": {
                "type": "boolean",
                "description": "true when more matching events may lie beyond this page (cut by limit, or a "
                "search stopped by its time budget): carry on with next_before / next_after",
            },
            "next_before": {
                "type": ["integer", "null"],
                "description": "(pages with before) the before= of the next older page of this same query; "
                "null when there is none",
            },
            "next_after": {
                "type": ["integer", "null"],
                "description": "(pages without before) the after= of the next newer page; null when there is none",
            },
            "partial": {
                "type": "boolean",
                "description": "(with q) the search's time budget ran out before the page filled: the events "
                "up to scanned_to were searched, the rest not yet (continue from next_before / next_after)",
            },
            "scanned_to": {"type": "integer", "description": "(with q) the last seq the search looked at"},
            "matching": {
                "type": "integer",
                "minimum": 0,
                "description": "(count=1) events of the whole retained history matching type, since/until and q",
            },
            "total": {"type": "integer", "minimum": 0, "description": "(count=1) events retained"},
            "matching_exact": {
                "type": "boolean",
                "description": "(count=1) false when a search's count ran out of its time budget: matching "
                "then counts the events from counted_from on, a lower bound",
            },
            "counted_from": {"type": "integer", "description": "(count=1) the oldest seq counted"},
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
                "folded from the stream (hub/state.py), so a page rebuilds its panels after a reload. A job or "
                "transfer still running with no report for --stalled-after-s (300 s) is answered with state "
                "'stalled', stalled: true and last_state (hub/staleness.py): not active",
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
                "description": "what the buckets were read from: raw samples or a rollup (the coarsest one no "
                "wider than the bucket, its cells grouped: 24 h in 600 points reads 1-minute cells)",
            },
            "t": {
                "type": "array",
                "items": {"type": "string"},
                "description": "point times, strictly increasing (the first sample of a raw bucket, a rollup "
                "cell's start)",
            },
            "v": {
                "type": "array",
                "items": {"type": ["number", "null"]},
                "description": "bucket averages; null marks a break (hub/gaps.py): no line is to be drawn across "
                "it. A break sits between points further apart than 3 x step_s, and between the runs of a "
                "training job in its ml.<job>.* series (where its progress goes back down)",
            },
            "min": {"type": "array", "items": {"type": ["number", "null"]}},
            "max": {"type": "array", "items": {"type": ["number", "null"]}},
            "step_s": {
                "type": "number",
                "description": "the series' step: the bucket width or its points' median spacing, if wider",
            },
            "gaps": {"type": "integer", "minimum": 0, "description": "how many breaks were put in"},
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
        "schema": {
            "type": "array",
            "items": {"type": "string", "pattern": PREFIX_PATTERN, "maxLength": MAX_TYPE_CHARS},
            "maxItems": MAX_TYPE_PREFIXES,
        },
        "style": "form",
        "explode": True,
    }


def _series_parameter() -> dict[str, Any]:
    return {
        "name": "series",
        "in": "query",
        "description": f"series names (repeatable; one named twice counts once); none means every known series "
        f"(at most {MAX_SERIES} either way)",
        "schema": {
            "type": "array",
            "items": {"type": "string", "maxLength": MAX_SERIES_NAME_CHARS},
            "maxItems": MAX_SERIES,
        },
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
            "description": "text search: events whose type, source or any string value in data holds "
            "this text (ASCII letters in any case; keys, ids, times and numbers are not searched). A search "
            "reads events one by one, so a page walks the history for at most 0.25 s: see partial, "
            "next_before and next_after",
            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS, "pattern": "^[^\\x00-\\x1f]*$"},
        },
    ]


def _download(formats: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename=mova-<kind>-<first>-<last>.<format>: the times (UTC, "
                "20261126T140000Z) of the first and last row, or mova-<kind>-none-<now> when there is none. "
                "Times in CSV and JSON lines are ISO 8601 UTC with milliseconds and Z; Parquet's are "
                "timestamp[ms, UTC]",
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
                    {
                        "name": "count",
                        "in": "query",
                        "description": "1: also answer matching (of the whole retained history, not just this "
                        'page) and total, for "n of N matching"',
                        "schema": {"type": "integer", "minimum": 0, "maximum": 1},
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
                        "description": "long: time, series, value; wide: one column per series, one row per "
                        "real sample time (or per step bucket)",
                        "schema": {"enum": ["long", "wide"]},
                    },
                    {
                        "name": "step",
                        "in": "query",
                        "description": "wide layout: average into buckets of this many seconds, aligned on "
                        "multiples of step since the epoch, each row at its bucket's start (default: none, the "
                        f"real sample times); at most {MAX_WIDE_ROWS:,} buckets over the span the series have samples in",
                        "schema": {"type": "number", "minimum": MIN_STEP_S, "maximum": MAX_STEP_S},
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


def _guarded(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation can meet the request guards (hub/guard.py: a foreign Host, a foreign Origin's write)
    and the HTTP server's bound on the request line."""
    for operations in paths.values():
        for method, operation in operations.items():
            operation["responses"]["421"] = _error("the Host header names a server this is not (DNS rebinding)")
            operation["responses"]["414"] = _error("the request line is over 4094 bytes (the HTTP server's own bound)")
            if method != "get":
                operation["responses"]["403"] = _error("a browser page of a foreign Origin may not write")
    return paths


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


def _integration_paths() -> dict[str, Any]:
    """OpenTelemetry in (hub/otlp.py) and Prometheus out (hub/prom.py): paths their tools expect, outside /api/."""
    errors = {
        "400": _error("the body is not a valid export request (protobuf or OTLP/JSON)"),
        "401": _error("missing or wrong token (only when the server has one)"),
        "413": _error("body over the limit (after decompression), or more events than a batch may hold"),
        "415": _error("a content type or encoding the receiver does not read"),
        "429": _error("the producer (token) is over its rate; nothing was stored"),
        "503": _error("the store cannot take writes; nothing was stored, retry later"),
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


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document; a new dict each call, so callers may change theirs."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "MOVA Live", "version": API_VERSION, "description": DESCRIPTION + LIMITS},
        "servers": [{"url": "/"}],
        "paths": _guarded({**_paths(), **_integration_paths(), **access_paths(), **alert_paths()}),
        "components": {
            "schemas": SCHEMAS | ALERT_SCHEMAS,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "POST /api/events: the server's --token/--producer token (when one is set) or an "
                    "API token of scope ingest; reads and /ws: an API token of scope read (or admin) when sign-in "
                    "is required",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "mova_session",
                    "description": "set by POST /login; unsafe methods also need the X-CSRF-Token of GET /api/session",
                },
            },
        },
        "x-websocket": WEBSOCKET,
    }
    return copy.deepcopy(spec)
