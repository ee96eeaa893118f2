"""The panels' callback: one clientside run per write of the event store updates every panel.

Each feature module lists the inputs its panel reads besides the store (``STORE_INPUTS``,
``STORE_STATES``); this module registers their union as ONE clientside callback (``mova.panels`` in
assets/mova_live.js), which routes each trigger to the panels that read it. One callback instead of
one per panel because every callback run costs dash-renderer several store dispatches, each
re-checking every component of the page: with a callback per panel, that overhead was most of the
browser's time per event. It has no outputs: dash-renderer applies an answer to every output
component, unchanged or not (one dispatch each), so the panels write what changed with
``set_props``. The feed's rows do not wait for this run at all: the live client draws them as it
merges each batch.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, State

from callbacks import charts, feed, notifications, panels, status
from callbacks.live import js
from components import ids

PANEL_MODULES = (feed, status, notifications, panels, charts)


def store_wiring() -> tuple[list[Input], list[State]]:
    """The store plus every other input the panels read (once each), and their states."""
    inputs: list[Input] = [Input(ids.EVENTS, "data")]
    states: list[State] = []
    seen = {(ids.EVENTS, "data")}
    for module in PANEL_MODULES:
        for dep in module.STORE_INPUTS:
            key = (dep.component_id, dep.component_property)
            if key not in seen:
                seen.add(key)
                inputs.append(dep)
        states.extend(getattr(module, "STORE_STATES", []))
    return inputs, states


def register(app: dash.Dash, settings: Any) -> None:
    inputs, states = store_wiring()
    app.clientside_callback(js("panels"), *inputs, *states)
