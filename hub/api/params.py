"""Query parameters, read and checked: a bad or unbounded one is a 400 naming the ``parameter``.

Every parameter that sizes a request's work is bounded here before any work starts
(hub/api/limits.py declares the bounds the OpenAPI document states too).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import request

from hub.api.limits import MAX_FRAME_MS, MAX_SEQ, MAX_SERIES, MAX_TIME_OFFSET_S, MAX_WIDE_ROWS
from hub.errors import InvalidInput
from hub.events.filter import EventFilter, parse_types
from hub.events.model import MAX_SERIES_NAME_CHARS
from hub.events.times import parse_time
from hub.export.metrics import MetricsRequest
from hub.live.stream import Subscription
from hub.storage.interface import Store
from hub.storage.search import MAX_QUERY_CHARS


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
    frame_ms = int_param("frame_ms", None, 0, MAX_FRAME_MS)
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


def event_filter() -> EventFilter:
    """The filters of GET /api/events and its export: type, since, until, q."""
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
