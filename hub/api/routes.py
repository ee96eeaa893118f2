"""The REST routes of the HTTP API (DESIGN.md §3) under /api/, reading the hub through ``ApiHub``.

Routes are registered before Dash's catch-all, and every unknown path under
/api/ answers 404 in the JSON error shape rather than the page. Every error is a
``HubError`` rendered as ``{"error": ...}`` with its status.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException

from hub.api.ingest import incoming_events, read_body
from hub.api.interface import ApiHub
from hub.api.limits import (
    DEFAULT_LIMIT,
    DEFAULT_POINTS,
    DEFAULT_WINDOW_S,
    MAX_LIMIT,
    MAX_POINTS,
    MAX_STEP_S,
    MIN_STEP_S,
)
from hub.api.params import check_wide_rows, event_filter, float_param, int_param, series_params, time_param
from hub.api.responses import download, error_response, events_response, json_response
from hub.errors import HubError, InvalidInput, NotFound
from hub.events.times import iso_ms
from hub.export.events import EVENT_FORMATS, export_events
from hub.export.files import filename
from hub.export.metrics import METRIC_FORMATS, MetricsRequest, export_metrics
from hub.storage.search import count_matching, search_page


def register_api(server: Flask, hub: ApiHub) -> None:
    """The REST routes under /api/, their JSON errors, and a 404 for every other /api/ path."""
    api = Blueprint("mova_api", __name__, url_prefix="/api")
    settings = hub.settings

    @api.post("/events")
    def post_events() -> Response:
        producer = hub.gate.identify(request.headers.get("Authorization"))
        items = incoming_events(read_body(settings.max_body_bytes))
        hub.gate.admit(producer, len(items))
        result = hub.ingest(items, producer)
        return json_response(
            {
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "first_seq": result.first_seq,
                "last_seq": result.last_seq,
            },
            202,
        )

    @api.get("/events")
    def get_events() -> Response:
        chosen = event_filter()
        limit = int_param("limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT
        after = int_param("after", None)
        before = int_param("before", None)
        want_count = int_param("count", 0, 0, 1)
        if after is not None and before is not None:
            raise InvalidInput("give after or before, not both")
        cursor = "next_before" if before is not None else "next_after"
        extra: dict[str, Any]
        if chosen.text:
            # a search reads events one by one: bounded in time, it says where it stopped (hub.storage.search)
            found = search_page(hub.store, chosen, limit, after=after, before=before)
            events, more = found.events, found.more
            extra = {cursor: found.next_cursor, "partial": found.partial, "scanned_to": found.scanned_to}
        else:
            if before is not None:
                page = hub.store.read_before(before, chosen, limit + 1)
                more = len(page) > limit
                events = page[1:] if more else page
            else:
                page = hub.store.read_after(after or 0, chosen, limit + 1)
                more = len(page) > limit
                events = page[:limit]
            extra = {cursor: (events[0].seq if before is not None else events[-1].seq) if more else None}
        if want_count:
            counted = count_matching(hub.store, chosen)
            extra.update(
                matching=counted["matching"],
                total=counted["total"],
                matching_exact=counted["exact"],
                counted_from=counted["counted_from"],
            )
        return events_response(events, hub.store, more, extra)

    @api.get("/status")
    def get_status() -> Response:
        return json_response(hub.status())

    @api.get("/health")
    def get_health() -> Response:
        return json_response({"ok": True})

    @api.get("/metrics")
    def get_metrics() -> Response:
        now = time.time()
        since = time_param("since", now - DEFAULT_WINDOW_S)
        until = time_param("until", now)
        if since >= until:
            raise InvalidInput("since must be before until", parameter="since")
        max_points = int_param("max_points", DEFAULT_POINTS, 1, MAX_POINTS) or DEFAULT_POINTS
        known = hub.store.known_series()
        names = series_params(lambda: known)
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InvalidInput(
                f"unknown series {unknown[:5]}: see GET /api/metrics/series for the names", parameter="series"
            )
        series = hub.store.query_series(names, since, until, max_points)
        return json_response(
            {
                "since": iso_ms(since),
                "until": iso_ms(until),
                "max_points": max_points,
                "series": series,
            }
        )

    @api.get("/metrics/export")
    def get_metrics_export() -> Response:
        now = time.time()
        names = series_params(hub.store.known_series)
        req = MetricsRequest(
            names=names,
            since=time_param("since", 0.0),
            until=time_param("until", now),
            format=request.args.get("format", "csv"),
            layout=request.args.get("layout", "long"),
            step=float_param("step", 0.0, MIN_STEP_S, MAX_STEP_S) or None,
            max_points=int_param("max_points", None, 1, MAX_POINTS),
        )
        check_wide_rows(hub.store, req)
        body, span = export_metrics(hub.store, req)
        return download(body, filename("metrics", span, req.format), METRIC_FORMATS[req.format])

    @api.get("/events/export")
    def get_events_export() -> Response:
        chosen = event_filter()
        fmt = request.args.get("format", "csv")
        body, span = export_events(hub.store, chosen, int_param("after", 0) or 0, int_param("before", None), fmt)
        return download(body, filename("events", span, fmt), EVENT_FORMATS[fmt])

    @api.get("/metrics/series")
    def get_series() -> Response:
        return json_response({"series": hub.store.series()})

    @api.get("/openapi.json")
    def get_openapi() -> Response:
        from hub.api.openapi import openapi_spec

        return json_response(openapi_spec())

    @api.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown_api(rest: str) -> Response:
        raise NotFound(f"no API endpoint /api/{rest}: see GET /api/openapi.json for the list")

    api.register_error_handler(HubError, error_response)

    @api.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response({"error": f"{exc.name}: {exc.description}"}, exc.code or 500)

    server.register_blueprint(api)
