"""The body of POST /api/events in the four forms of DESIGN.md §3, read within its size limit.

One event (``application/json`` or ``application/cloudevents+json``), a JSON array,
``application/cloudevents-batch+json``, or one event in CloudEvents binary mode
(``ce-*`` headers, ``data`` as the JSON body). The OTLP receivers read their
bodies with ``read_body`` too.
"""

from __future__ import annotations

from typing import Any

from flask import request

from hub.api.limits import BATCH_TYPE, JSON_TYPES
from hub.errors import InvalidInput, TooLarge, UnsupportedMedia
from hub.events.validate import loads


def read_body(limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise TooLarge(f"the body is {length} bytes; the limit is {limit}: send smaller batches")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise TooLarge(f"the body is over {limit} bytes: send smaller batches")
    return body


def incoming_events(body: bytes) -> list[Any]:
    """The events of a POST in any of the four forms of DESIGN.md §3."""
    mimetype = request.mimetype
    if "ce-type" in request.headers or "ce-specversion" in request.headers:
        if mimetype not in JSON_TYPES and mimetype != "":
            raise UnsupportedMedia(f"binary-mode data must be application/json, got {mimetype!r}")
        event: dict[str, Any] = {"data": loads(body) if body else {}}
        for header, value in request.headers.items():
            lower = header.lower()
            if lower.startswith("ce-"):
                event[lower[3:]] = value
        return [event]
    if mimetype == BATCH_TYPE:
        parsed = loads(body)
        if not isinstance(parsed, list):
            raise InvalidInput(f"{BATCH_TYPE} must be a JSON array of events")
        return parsed
    if mimetype in JSON_TYPES:
        parsed = loads(body)
        return parsed if isinstance(parsed, list) else [parsed]
    raise UnsupportedMedia(
        f"Content-Type {mimetype or '(none)'!r} is not accepted: use application/json, "
        f"application/cloudevents+json, {BATCH_TYPE}, or CloudEvents binary mode (ce-* headers)"
    )
