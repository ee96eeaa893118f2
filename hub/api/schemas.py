"""The schemas of the OpenAPI document (``components.schemas``) and the small builders every part's paths use.

Bounds come from where they are checked (hub/api/limits.py, hub/events/model.py),
never typed again here.
"""

from __future__ import annotations

from typing import Any

from hub.api.limits import MAX_POINTS, MAX_SEQ, MAX_TIME_OFFSET_S
from hub.events.model import MAX_ATTRIBUTE_CHARS, TYPE_PATTERN, Limits
from hub.storage.series import RESOLUTION_NAMES


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": json_content(ref("Error"))}


SEQ = {"type": "integer", "minimum": 0, "maximum": MAX_SEQ}
NULLABLE_SEQ = {"type": ["integer", "null"], "minimum": 1}
TIMESTAMP = {"type": "string", "description": "UTC, ISO 8601 with milliseconds, e.g. 2026-11-26T14:00:00.123Z"}
# seconds ago, negative for the future; bounded so that the time is a real date
TIME_PARAMETER = {
    "oneOf": [
        {"type": "string", "format": "date-time"},
        {"type": "number", "minimum": -MAX_TIME_OFFSET_S, "maximum": MAX_TIME_OFFSET_S},
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
        "description": f"Events stored all or nothing; over max_batch_events (default {Limits().max_batch_events}) is a 413.",
        "items": ref("EventIn"),
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
            "events": {"type": "array", "items": ref("Event")},
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
            "categories",
        ],
        "properties": {
            "health": ref("HealthState"),
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
            "categories": {
                "type": "array",
                "items": {"type": "string"},
                "description": "the categories (first type segment) of the stored events, sorted: the feed's "
                "filter offers each, so a query of every category reaches history a page has not seen live",
            },
            "state": {
                "type": "object",
                "description": "current jobs, models, transfers, presence, plugins and prediction summary, "
                "folded from the stream (hub/live/state.py), so a page rebuilds its panels after a reload. A job or "
                "transfer still running with no report for --stalled-after-s (300 s) is answered with state "
                "'stalled', stalled: true and last_state (hub/live/staleness.py): not active",
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
                "enum": list(RESOLUTION_NAMES.values()),
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
                "description": "bucket averages; null marks a break (hub/storage/gaps.py): no line is to be drawn across "
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
            "series": {"type": "array", "items": ref("Series")},
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
