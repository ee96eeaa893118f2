"""The panels' callback: one clientside run per write of the event store updates every panel.

Each feature module lists the outputs its panel writes and the inputs it reads besides the store
(``STORE_OUTPUTS``, ``STORE_INPUTS``); this module registers their union as ONE clientside callback
(``mova.panels`` in assets/mova_live.js), which routes each trigger to the panels that read it and
maps the answers back by ``id.property``. One callback instead of one per panel because every
callback run costs dash-renderer several store dispatches, each re-checking every component of the
page: with a callback per panel, that overhead was most of the browser's time per event. The feed's
rows do not wait for this run at all: the live client draws them as it merges each batch.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from callbacks import charts, feed, notifications, panels, status
from callbacks.live import js
from components import ids

PANEL_MODULES = (feed, status, notifications, panels, charts)


def store_wiring() -> tuple[list[Output], list[Input], list[State]]:
    """The panels' outputs, the store plus every other input they read (once each), and their states."""
    outputs: list[Output] = []
    inputs: list[Input] = [Input(ids.EVENTS, "data")]
    states: list[State] = []
    seen = {(ids.EVENTS, "data")}
    for module in PANEL_MODULES:
        outputs.extend(module.STORE_OUTPUTS)
        for dep in module.STORE_INPUTS:
            key = (dep.component_id, dep.component_property)
            if key not in seen:
                seen.add(key)
                inputs.append(dep)
        states.extend(getattr(module, "STORE_STATES", []))
    return outputs, inputs, states


def register(app: dash.Dash, settings: Any) -> None:
    outputs, inputs, states = store_wiring()
    app.clientside_callback(js("panels"), *outputs, *inputs, *states)
