"""The /api/ paths of the OpenAPI document: operations, parameters and answers of the core API.

Parameters state the bounds the routes check (hub/api/limits.py and the parts that
own them); schemas are hub/api/schemas.py's.
"""

from __future__ import annotations

from typing import Any

from hub.api.limits import (
    BATCH_TYPE,
    DEFAULT_LIMIT,
    DEFAULT_POINTS,
    DEFAULT_WINDOW_S,
    JSON_TYPES,
    MAX_LIMIT,
    MAX_POINTS,
    MAX_SERIES,
    MAX_STEP_S,
    MAX_WIDE_ROWS,
    MIN_STEP_S,
)
from hub.api.schemas import SEQ, TIME_PARAMETER, error, json_content, ref
from hub.events.filter import MAX_TYPE_CHARS, MAX_TYPE_PREFIXES
from hub.events.model import MAX_SERIES_NAME_CHARS, TYPE_PATTERN
from hub.export.events import EVENT_FORMATS
from hub.export.metrics import LAYOUTS, METRIC_FORMATS
from hub.storage.search import MAX_QUERY_CHARS, PAGE_BUDGET_S


def type_parameter() -> dict[str, Any]:
    return {
        "name": "type",
        "in": "query",
        "description": "type prefix by whole segments ('ml' matches ml.training.progress); repeatable or comma-separated",
        "schema": {
            "type": "array",
            "items": {"type": "string", "pattern": TYPE_PATTERN.pattern, "maxLength": MAX_TYPE_CHARS},
            "maxItems": MAX_TYPE_PREFIXES,
        },
        "style": "form",
        "explode": True,
    }


def series_parameter() -> dict[str, Any]:
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


def seq_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": SEQ}


def time_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": TIME_PARAMETER}


def event_filter_parameters() -> list[dict[str, Any]]:
    return [
        type_parameter(),
        time_parameter("since", "only events at or after this time (ISO 8601 or seconds ago)"),
        time_parameter("until", "only events at or before this time (ISO 8601 or seconds ago)"),
        {
            "name": "q",
            "in": "query",
            "description": "text search: events whose type, source or any string value in data holds "
            "this text (ASCII letters in any case; keys, ids, times and numbers are not searched). A search "
            f"reads events one by one, so a page walks the history for at most {PAGE_BUDGET_S:g} s: see partial, "
            "next_before and next_after",
            "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS, "pattern": "^[^\\x00-\\x1f]*$"},
        },
    ]


def download(formats: dict[str, str], description: str) -> dict[str, Any]:
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


def api_paths() -> dict[str, Any]:
    """The paths under /api/ of the core API (access and alerts have their own)."""
    bad_request = error("invalid input: the body or a parameter, named in the error")
    events_body: dict[str, Any] = {
        media: {"schema": {"oneOf": [ref("EventIn"), ref("Batch")]}} for media in sorted(JSON_TYPES)
    }
    events_body[BATCH_TYPE] = {"schema": ref("Batch")}
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
                    "202": {"description": "stored durably", "content": json_content(ref("Accepted"))},
                    "400": bad_request,
                    "401": error("missing or wrong token (only when the server has one)"),
                    "429": {
                        **error("the producer (token) is over its rate; nothing was stored"),
                        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
                    },
                    "413": error("body, batch or event data over the limits"),
                    "415": error("a content type ingest does not read"),
                    "503": error("the store cannot take writes; nothing was stored, retry later"),
                },
            },
            "get": {
                "operationId": "listEvents",
                "summary": "Events after (or before) a seq: the polling fallback and the feed's history",
                "parameters": [
                    seq_parameter("after", "only events with a larger seq (oldest first)"),
                    seq_parameter("before", "the page of events just before this seq (not with after)"),
                    *event_filter_parameters(),
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
                    "200": {"description": "a page of events in seq order", "content": json_content(ref("EventPage"))},
                    "400": bad_request,
                },
            },
        },
        "/api/status": {
            "get": {
                "operationId": "getStatus",
                "summary": "Snapshot: health, latest metric values, uptime, connected clients, last_seq",
                "responses": {"200": {"description": "the snapshot", "content": json_content(ref("Status"))}},
            }
        },
        "/api/health": {
            "get": {
                "operationId": "getHealth",
                "summary": "Liveness",
                "responses": {
                    "200": {
                        "description": "the server answers",
                        "content": json_content(
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
                    series_parameter(),
                    time_parameter("since", f"ISO 8601 time or seconds ago (default {DEFAULT_WINDOW_S:g} seconds ago)"),
                    time_parameter("until", "ISO 8601 time or seconds ago (default now)"),
                    {
                        "name": "max_points",
                        "in": "query",
                        "description": f"most points per series (default {DEFAULT_POINTS})",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_POINTS},
                    },
                ],
                "responses": {
                    "200": {"description": "the series", "content": json_content(ref("Metrics"))},
                    "400": bad_request,
                },
            }
        },
        "/api/metrics/export": {
            "get": {
                "operationId": "exportMetrics",
                "summary": "Samples as a streamed file: CSV, JSON lines or Parquet, long or wide",
                "parameters": [
                    series_parameter(),
                    time_parameter("since", "ISO 8601 time or seconds ago (default: the beginning)"),
                    time_parameter("until", "ISO 8601 time or seconds ago (default now)"),
                    {"name": "format", "in": "query", "schema": {"enum": list(METRIC_FORMATS)}},
                    {
                        "name": "layout",
                        "in": "query",
                        "description": "long: time, series, value; wide: one column per series, one row per "
                        "real sample time (or per step bucket)",
                        "schema": {"enum": list(LAYOUTS)},
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
                    "200": download(METRIC_FORMATS, "the file, streamed"),
                    "400": bad_request,
                },
            }
        },
        "/api/events/export": {
            "get": {
                "operationId": "exportEvents",
                "summary": "Events as a streamed file (CSV or JSON lines), with the filters of GET /api/events",
                "parameters": [
                    seq_parameter("after", "only events with a larger seq"),
                    seq_parameter("before", "only events with a smaller seq"),
                    *event_filter_parameters(),
                    {"name": "format", "in": "query", "schema": {"enum": list(EVENT_FORMATS)}},
                ],
                "responses": {"200": download(EVENT_FORMATS, "the file, streamed"), "400": bad_request},
            }
        },
        "/api/metrics/series": {
            "get": {
                "operationId": "listSeries",
                "summary": "The series names known, with first and last time and last value",
                "responses": {"200": {"description": "the series", "content": json_content(ref("SeriesList"))}},
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This description",
                "responses": {
                    "200": {"description": "OpenAPI 3.1 document", "content": json_content({"type": "object"})}
                },
            }
        },
    }
