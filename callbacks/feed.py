"""The activity feed: filter and search (a query of the server's whole history), "All", older pages,
jump back to the newest.

The rows are DOM nodes assets/client/panel_feed.js keeps in ``activity-feed-rows`` (one per event,
inserted and removed as events come and go), so a busy stream never re-renders the list through Dash.
The filter and the search ask GET /api/events (type, q, count=1) from the browser; "Load older"
continues that query and writes its button's state itself.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    # new events need no callback: the client paints the feed in the frame they arrive (panel_feed.js says why)
    app.clientside_callback(js("feed", "update"), Input(ids.FEED_FILTER, "value"), Input(ids.FEED_SEARCH, "value"))
    app.clientside_callback(js("feed", "older"), Input(ids.FEED_OLDER, "n_clicks"), prevent_initial_call=True)
    app.clientside_callback(
        js("feed", "all"), Output(ids.FEED_FILTER, "value"), Input(ids.FEED_ALL, "n_clicks"), prevent_initial_call=True
    )
    app.clientside_callback(js("feed", "jump"), Input(ids.FEED_NEW, "n_clicks"), prevent_initial_call=True)
