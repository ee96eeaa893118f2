"""The top bar's connection badge (with its details popover) and the system health badge."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from callbacks.live import js
from components import ids

# the health badge's part of the panels' callback (callbacks/store.py)
STORE_OUTPUTS = [
    Output(ids.HEALTH_BADGE, "children"),
    Output(ids.HEALTH_PILL, "className"),
    Output(ids.HEALTH_ICON, "icon"),
    Output(ids.HEALTH_PILL, "title"),
    Output(ids.HEALTH_POPOVER_BODY, "children"),
]
STORE_INPUTS: list[Input] = []


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("badge"),
        Output(ids.STATUS_BADGE, "children"),
        Output(ids.STATUS_DETAIL, "children"),
        Output(ids.STATUS_PILL, "className"),
        Output(ids.STATUS_ICON, "icon"),
        Output(ids.STATUS_ICON, "className"),
        Output(ids.STATUS_POPOVER_BODY, "children"),
        Input(ids.CONNECTION, "data"),
        Input(ids.TICK, "n_intervals"),
    )
