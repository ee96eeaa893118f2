"""The notification centre: bell count, the dropdown list, its actions, and toasts.

Read, removed and cleared marks live in a localStorage store
(``notification-state``), so they survive a reload.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State

from callbacks.live import js
from components import ids

# the inputs this feature's panel reads in the panels' callback (callbacks/store.py), besides the
# event store; it writes the bell's list and count, and the toasts with set_props
STORE_INPUTS = [Input(ids.NOTIFICATION_STATE, "data"), Input(ids.TICK, "n_intervals")]
STORE_STATES = [State(ids.TOASTS, "children")]


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("notificationAction"),
        Output(ids.NOTIFICATION_STATE, "data"),
        Input(ids.NOTIFICATION_MARK_READ, "n_clicks"),
        Input(ids.NOTIFICATION_CLEAR, "n_clicks"),
        Input({"type": ids.NOTIFICATION_REMOVE, "seq": ALL}, "n_clicks"),
        State(ids.NOTIFICATION_STATE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        js("toggleBell"),
        Output(ids.NOTIFICATION_POPOVER, "is_open"),
        Input(ids.NOTIFICATION_BELL, "n_clicks"),
        State(ids.NOTIFICATION_POPOVER, "is_open"),
        prevent_initial_call=True,
    )
