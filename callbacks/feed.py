"""The activity feed: rows from the event store, filter and search, older pages, jump to newest.

The rows themselves are DOM nodes the clientside callback keeps in ``activity-feed-rows`` (one per
event, inserted and removed as events come and go); its Dash outputs are the empty-state text and
the count, so a busy stream does not re-render fifty rows of components on every frame.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from callbacks.live import js
from components import ids

# the inputs this feature's panel reads in the panels' callback (callbacks/store.py), besides the
# event store; it writes the empty state and the count (the rows are DOM nodes the client keeps) with set_props
STORE_INPUTS = [
    Input(ids.FEED_FILTER, "value"),
    Input(ids.FEED_SEARCH, "value"),
    Input(ids.TICK, "n_intervals"),
    Input(ids.FEED_REV, "data"),
]


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("feedOlder"),
        Output(ids.FEED_REV, "data"),
        Output(ids.FEED_OLDER, "disabled"),
        Output(ids.FEED_OLDER, "title"),
        Input(ids.FEED_OLDER, "n_clicks"),
        State(ids.FEED_REV, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(js("feedJump"), Input(ids.FEED_NEW, "n_clicks"), prevent_initial_call=True)
