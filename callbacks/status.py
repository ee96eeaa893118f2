"""The top bar's connection badge (with its details popover) and the system health badge."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from callbacks.live import js
from components import ids

# the inputs this feature's panel reads in the panels' callback (callbacks/store.py), besides the
# event store; it writes the health badge, its pill, icon and popover with set_props
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
