"""The browser client's wiring: which scripts the page loads, in what order, and the page config.

Scripts: Dash would load every file of assets/ in file-name order; the client's modules depend on
each other, so assets/client/ is left out of that (``ASSETS_PATH_IGNORE``) and ``client_scripts()``
lists them for the page's ``external_scripts``, in this order: CORE (each needs the ones before it),
then every ``panel_*.js`` (a panel only registers itself in ``window.mova.panels``, so their order
does not matter and a new panel needs no line here), then EXTRA (another feature's module that the
client's start should see: add it there), then ``client.js``, which starts the client with the panels
it finds. Dash puts external scripts before its renderer, so the modules are in place before the
first callback runs. Each url carries the file's modification time, so a changed file is not cached.

Config: ``client_config(settings, layout)`` is the one dict the JS reads at boot (the ``mova-config``
store): page settings, every component id (components/ids.py, by name: no id is typed in the JS),
chart definitions, and the panels, found in the layout by their events stores (``panel_store``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dash import dcc

from components import ids
from components.config import (
    CATEGORIES,
    CHARTS,
    FEED_EXCLUDED_TYPES,
    LIVE_WINDOW_S,
    RANGES,
    TRANSFER_FADE_AFTER_S,
    TRANSFER_REMOVE_AFTER_S,
)

CLIENT_DIR = Path(__file__).resolve().parent.parent / "assets" / "client"
ASSETS_PATH_IGNORE = ["client"]  # assets/client/ is loaded in order by client_scripts(), not by Dash
CORE = (
    "format.js",
    "describe.js",
    "queries.js",
    "feed_list.js",
    "live_state.js",
    "event_window.js",
    "connection.js",
    "reset.js",
    "dom.js",
    "feed_rows.js",
    "bridge.js",
    "workarounds.js",
    "scheduler.js",
    "stream.js",
)
EXTRA: tuple[str, ...] = ()
LAST = "client.js"
PAGE_FRAME_MS = 25


def client_files() -> list[str]:
    """The client's modules, in load order."""
    panels = sorted(p.name for p in CLIENT_DIR.glob("panel_*.js"))
    return [*CORE, *panels, *EXTRA, LAST]


def client_scripts(prefix: str = "/") -> list[str]:
    """Script urls for Dash's ``external_scripts`` (``prefix``: the app's requests_pathname_prefix)."""
    return [f"{prefix}assets/client/{name}?m={int((CLIENT_DIR / name).stat().st_mtime)}" for name in client_files()]


def panel_store(panel: str) -> dcc.Store:
    """A panel's events store: the client writes a revision to it when the panel has new events."""
    return dcc.Store(id=ids.panel_events(panel), data=0)


def panels_in(layout: Any) -> dict[str, str]:
    """{panel name: its store id} for every panel store in the layout."""
    found: dict[str, str] = {}
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        component_id = getattr(node, "id", None)
        if isinstance(component_id, str) and component_id.startswith(ids.PANEL_EVENTS):
            found[component_id[len(ids.PANEL_EVENTS) :]] = component_id
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return found


def client_config(settings: Any, layout: Any) -> dict[str, Any]:
    """The settings, ids and definitions the browser-side client reads at start."""
    charts: dict[str, Any] = {
        c.id: {
            "series": list(c.series),
            "labels": list(c.labels),
            "unit": c.unit,
            "stat_id": f"{ids.CHART_STATS}-{c.id}",
        }
        for c in CHARTS
    }
    charts[ids.CHART_CUSTOM] = {
        "series": [],
        "labels": [],
        "unit": "",
        "stat_id": f"{ids.CHART_STATS}-{ids.CHART_CUSTOM}",
    }
    return {
        "ids": ids.as_config(),
        "panels": panels_in(layout),
        "feed_max_items": settings.feed_max_items,
        "notifications_max": settings.notifications_max,
        "poll_interval_ms": int(settings.poll_interval_s * 1000),
        "heartbeat_s": settings.heartbeat_s,
        # the page's frame pace on /ws: 25 ms keeps ingest -> painted p99 under 50 ms at 200 events/s
        # (the server's default 50 ms alone adds up to 50); the feed paints once per screen frame anyway
        "frame_ms": PAGE_FRAME_MS,
        "max_reconnect_tries": 10,
        "categories": list(CATEGORIES),
        "feed_excluded_types": list(FEED_EXCLUDED_TYPES),
        "live_window_s": LIVE_WINDOW_S,
        "ranges": {key: seconds for key, _label, seconds in RANGES},
        "charts": charts,
        "custom_chart": ids.CHART_CUSTOM,
        "collector_interval_s": float(getattr(settings, "collector_interval", 1.0)),
        "transfer_fade_after_s": TRANSFER_FADE_AFTER_S,
        "transfer_remove_after_s": TRANSFER_REMOVE_AFTER_S,
        # --stalled-after-s: a running job or transfer quiet this long shows as stalled (live_state.js markStalled)
        "stalled_after_s": float(getattr(settings, "stalled_after_s", 300.0)),
    }
