"""The notification centre: the bell's count and list, their actions, and the toasts.

Read, removed and cleared marks live in a localStorage store (``notification-state``), so they
survive a reload (assets/client/panel_notifications.js).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("notifications", "update"),
        Input(ids.panel_events("notifications"), "data"),
        Input(ids.NOTIFICATION_STATE, "data"),
        State(ids.TOASTS, "children"),
    )
    app.clientside_callback(
        js("notifications", "action"),
        Output(ids.NOTIFICATION_STATE, "data"),
        Input(ids.NOTIFICATION_MARK_READ, "n_clicks"),
        Input(ids.NOTIFICATION_CLEAR, "n_clicks"),
        Input({"type": ids.NOTIFICATION_REMOVE, "seq": ALL}, "n_clicks"),
        State(ids.NOTIFICATION_STATE, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        js("notifications", "toggle"),
        Output(ids.NOTIFICATION_POPOVER, "is_open"),
        Input(ids.NOTIFICATION_BELL, "n_clicks"),
        State(ids.NOTIFICATION_POPOVER, "is_open"),
        prevent_initial_call=True,
    )
