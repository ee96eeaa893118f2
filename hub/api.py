"""The HTTP API (DESIGN.md §3) and the /ws route, mounted on a Flask server.

Routes are registered before Dash's catch-all, and every unknown path under
/api/ answers 404 in the JSON error shape rather than the page. Every error is a
``HubError`` rendered as ``{"error": ...}`` with its status.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from flask import Blueprint, Flask, Response, g, request, stream_with_context
from flask_sock import Sock
from werkzeug.exceptions import HTTPException

from hub import guard
from hub.alerts.api import register_alerts
from hub.errors import Forbidden, HubError, InvalidInput, NotFound, TooLarge, Unavailable, UnsupportedMedia
from hub.events.filter import EventFilter, parse_types
from hub.events.model import MAX_SERIES_NAME_CHARS, StoredEvent
from hub.events.times import parse_time
from hub.events.validate import loads
from hub.export.events import EVENT_FORMATS, export_events
from hub.export.files import filename
from hub.export.metrics import METRIC_FORMATS, MetricsRequest, export_metrics
from hub.export.streaming import while_client_stays
from hub.hostpolicy import HostPolicy
from hub.live.handshake import ConnectionSlots, upgrade_error
from hub.live.stream import StreamLimits, Subscription, serve
from hub.storage.interface import Store
from hub.storage.search import MAX_QUERY_CHARS, count_matching, search_page

if TYPE_CHECKING:
    from hub.hub import Hub

logger = logging.getLogger(__name__)

JSON_TYPES = {"application/json", "application/cloudevents+json"}
BATCH_TYPE = "application/cloudevents-batch+json"
DEFAULT_LIMIT, MAX_LIMIT = 500, 5000
DEFAULT_WINDOW_S = 300.0
DEFAULT_POINTS, MAX_POINTS = 500, 10_000
# what sizes the work of one request (issue 17): each is checked before any work starts, and stated in
# the OpenAPI document (hub/openapi.py)
MAX_SERIES = 100  # series in one metrics query or export
MIN_STEP_S, MAX_STEP_S = 0.001, 1e9  # the wide export's bucket width
MAX_WIDE_ROWS = 2_000_000  # buckets of one wide export, over the span its series have samples in


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


# -- query parameters -------------------------------------------------------


MAX_SEQ = 2**63 - 1  # SQLite's INTEGER
MAX_TIME_OFFSET_S = 1e9  # about 31 years either side of now


def int_param(name: str, default: int | None, low: int = 0, high: int = MAX_SEQ) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw[:40]!r}", parameter=name) from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}, got {value}", parameter=name)
    return value


def float_param(name: str, default: float, low: float = 0.0, high: float = math.inf) -> float:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a number, got {raw[:40]!r}", parameter=name) from None
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{name} must be a finite number > 0, got {raw[:40]!r}", parameter=name)
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low:g} to {high:g}, got {raw[:40]!r}", parameter=name)
    return value


def series_params(known: Callable[[], set[str]]) -> list[str]:
    """The ``series`` asked for (repeatable), duplicates dropped, at most MAX_SERIES; all known ones if none.

    Each series is a column or a query of its own: their number sizes the work.
    """
    names = list(dict.fromkeys(request.args.getlist("series")))
    implicit = not names
    if implicit:
        names = sorted(known())
    if len(names) > MAX_SERIES:
        how = "name up to" if not implicit else f"there are {len(names)} series: name up to"
        raise InvalidInput(
            f"at most {MAX_SERIES} series a request: {how} {MAX_SERIES} with series=", parameter="series"
        )
    too_long = [n for n in names if len(n) > MAX_SERIES_NAME_CHARS]
    if too_long:
        raise InvalidInput(f"series names are at most {MAX_SERIES_NAME_CHARS} characters", parameter="series")
    return names


def download(chunks: Iterator[bytes], name: str, mimetype: str) -> Response:
    return Response(
        stream_with_context(while_client_stays(chunks, request.environ)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def time_param(name: str, default: float) -> float:
    """An absolute ISO 8601 time, or a number of seconds ago."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = time.time() - float(raw)
    except ValueError:
        try:
            value = parse_time(raw).timestamp()
        except (ValueError, OverflowError):
            raise InvalidInput(
                f"{name} must be ISO 8601 (2026-11-26T14:00:00Z) or seconds ago (300), got {raw[:40]!r}",
                parameter=name,
            ) from None
    if not math.isfinite(value) or abs(time.time() - value) > MAX_TIME_OFFSET_S:
        raise InvalidInput(f"{name} must be within about 31 years of now, got {raw[:40]!r}", parameter=name)
    return value


def subscription(default_frame_interval_s: float) -> Subscription:
    """The /ws query: after, epoch, type prefixes, and frame_ms (0 = every batch at once)."""
    frame_ms = int_param("frame_ms", None, 0, 10_000)
    return Subscription(
        after=int_param("after", None),
        epoch=request.args.get("epoch") or None,
        types=type_params(),
        frame_interval_s=default_frame_interval_s if frame_ms is None else frame_ms / 1000,
    )


def type_params() -> tuple[str, ...]:
    try:
        return parse_types(request.args.getlist("type"))
    except ValueError as exc:
        raise InvalidInput(str(exc), parameter="type") from None


# -- ingest -------------------------------------------------------------------


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


def check_wide_rows(store: Store, req: MetricsRequest) -> None:
    """A wide export walks every step-wide bucket where its series have samples: bound their number."""
    if req.layout != "wide" or req.max_points is not None or req.step is None:
        return  # without step, a row per real sample time: as many as the samples
    span = store.series_span(list(store.series_ids(req.names).values())) if req.names else None
    if span is None:
        return
    start, end = max(req.since, span[0]), min(req.until, span[1])
    rows = (end - start) / req.step
    if rows > MAX_WIDE_ROWS:
        raise InvalidInput(
            f"step {req.step:g} s makes {rows:,.0f} rows over the {end - start:,.0f} s with samples; the most is "
            f"{MAX_WIDE_ROWS:,}: use step >= {(end - start) / MAX_WIDE_ROWS:.3g}, a shorter range, or max_points",
            parameter="step",
        )


def register_api(server: Flask, hub: Hub) -> None:
    api = Blueprint("mova_api", __name__, url_prefix="/api")
    settings = hub.settings
    policy = HostPolicy.from_settings(settings)
    guard.install(server, policy)  # first: its Host check runs before every other hook and route

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

    def event_filter() -> EventFilter:
        now = time.time()
        since = time_param("since", 0.0) if request.args.get("since") else None
        until = time_param("until", now) if request.args.get("until") else None
        if since is not None and until is not None and since >= until:
            raise InvalidInput("since must be before until", parameter="since")
        text = request.args.get("q", "").strip()
        if any(ord(ch) < 32 for ch in text):
            raise InvalidInput("q must be plain text, without control characters", parameter="q")
        if len(text) > MAX_QUERY_CHARS:
            raise InvalidInput(f"q is {len(text)} characters; search with at most {MAX_QUERY_CHARS}", parameter="q")
        return EventFilter(type_params(), since, until, text)

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
            # a search reads events one by one: bounded in time, it says where it stopped (hub.search)
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
                "since": datetime.fromtimestamp(since, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "until": datetime.fromtimestamp(until, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
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
        from hub.openapi import openapi_spec

        return json_response(openapi_spec())

    @api.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def unknown_api(rest: str) -> Response:
        raise NotFound(f"no API endpoint /api/{rest}: see GET /api/openapi.json for the list")

    @api.errorhandler(HubError)
    def hub_error(exc: HubError) -> Response:
        response = json_response(exc.to_dict(), exc.status)
        if "retry_after" in exc.details:
            response.headers["Retry-After"] = str(exc.details["retry_after"])
        return response

    @api.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response({"error": f"{exc.name}: {exc.description}"}, exc.code or 500)

    server.register_blueprint(api)
    register_alerts(server, hub.alerts)

    # the server pings every heartbeat and closes a socket whose pong did not come by the
    # next one: a dead connection is dropped within two heartbeats
    server.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": settings.heartbeat_s, "max_message_size": 65536}
    stream_limits = StreamLimits(
        settings.heartbeat_s,
        settings.client_queue_events,
        settings.client_frames_per_minute,
        int(settings.client_queue_mb * 2**20),
    )
    sock = Sock()
    sock.init_app(server)

    slots = ConnectionSlots(settings.max_connections)

    @server.before_request
    def check_ws_upgrade() -> Response | None:
        if request.path != "/ws":
            return None
        if not policy.allows_origin(request.headers.get("Origin"), request.host):
            return guard.error_response(
                Forbidden(f"Origin {request.headers.get('Origin')!r} may not open /ws: add it with --allowed-origin")
            )
        malformed = upgrade_error(request.method, request.headers, request.environ.get("SERVER_PROTOCOL", ""))
        if malformed is not None:
            return guard.error_response(malformed)
        try:
            subscription(settings.frame_interval_s)
        except InvalidInput as exc:
            return guard.error_response(exc)
        if not slots.take():  # last: a slot taken is given back when the request ends (below)
            full = Unavailable(f"this server holds its maximum of {settings.max_connections} sockets: retry later")
            return guard.error_response(full)
        g.mova_ws_slot = True
        return None

    @server.teardown_request
    def give_back_ws_slot(_exc: BaseException | None) -> None:
        if g.pop("mova_ws_slot", False):
            slots.give_back()

    @sock.route("/ws")  # type: ignore[untyped-decorator]
    def websocket(ws: Any) -> None:
        # signed in at the upgrade (hub/access/web.py); closed with 4401 when the session or token ends
        with hub.socket_watch.hold(ws, g.get("mova_principal")) as admitted:
            if admitted:
                serve(
                    ws,
                    hub.store,
                    hub.bus,
                    hub.sessions,
                    subscription(settings.frame_interval_s),
                    stream_limits,
                    hub.current_health,
                )
