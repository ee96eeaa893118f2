"""The answers of the HTTP API: JSON, pages of stored events, streamed downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson
from flask import Response, request, stream_with_context

from hub.errors import HubError
from hub.events.model import StoredEvent
from hub.export.streaming import while_client_stays

if TYPE_CHECKING:
    from hub.storage.interface import Store


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status=status, mimetype="application/json")


def events_response(
    events: list[StoredEvent], store: Store, more: bool, extra: dict[str, Any] | None = None
) -> Response:
    # stored bodies are already JSON: join them instead of decoding and encoding again
    tail = orjson.dumps(
        {
            "last_seq": store.last_seq,
            "first_seq": store.first_seq(),
            "epoch": store.epoch,
            "more": more,
            **(extra or {}),
        }
    ).decode()
    return Response('{"events":[' + ",".join(e.body for e in events) + "]," + tail[1:], mimetype="application/json")


def download(chunks: Iterator[bytes], name: str, mimetype: str) -> Response:
    return Response(
        stream_with_context(while_client_stays(chunks, request.environ)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def error_response(exc: HubError) -> Response:
    """A HubError in the JSON error shape with its status (and Retry-After when it says how long to wait)."""
    response = json_response(exc.to_dict(), exc.status)
    if "retry_after" in exc.details:
        response.headers["Retry-After"] = str(exc.details["retry_after"])
    return response
