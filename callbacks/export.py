"""The metrics export dialog: a direct link to the streaming export endpoint, rebuilt clientside from
the user's choices (assets/client/panel_export.js), so a large export never passes through a Dash
callback. The feed's export link is the feed's own query (assets/client/panel_feed.js).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("export", "open"),
        Output(ids.EXPORT_MODAL, "is_open"),
        Output(ids.EXPORT_RANGE, "value"),
        Output(ids.EXPORT_SERIES, "value"),
        Input(ids.EXPORT_OPEN, "n_clicks"),
        State(ids.CHART_RANGE, "value"),
        State(ids.EXPORT_MODAL, "is_open"),
        State(ids.CONFIG, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        js("export", "link"),
        Output(ids.EXPORT_DOWNLOAD, "href"),
        Output(ids.EXPORT_SUMMARY, "children"),
        Input(ids.EXPORT_SERIES, "value"),
        Input(ids.EXPORT_RANGE, "value"),
        Input(ids.EXPORT_FORMAT, "value"),
        Input(ids.EXPORT_LAYOUT, "value"),
        Input(ids.EXPORT_MODAL, "is_open"),  # each opening takes the charts' window anew
        State(ids.CONFIG, "data"),
    )
