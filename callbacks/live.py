"""The live client's wiring: boot from REST, socket states, the poll and the heartbeat tick.

All of it runs in the browser (``mova.*`` in assets/mova_live.js); the
callbacks write to the page through ``dash_clientside.set_props``, so they
have no outputs. Socket frames have no callback: the client listens to the
component's socket itself (``listenToSocket``), because frames that arrive
close together overwrite each other in the component's ``message`` prop
before a callback of it runs (NOTES.md).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ClientsideFunction, Input

from components import ids


def js(name: str) -> ClientsideFunction:
    """A function of the clientside namespace ``mova``."""
    return ClientsideFunction(namespace="mova", function_name=name)


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("boot"), Input(ids.CONFIG, "data"))
    app.clientside_callback(js("onState"), Input(ids.SOCKET, "state"))
    app.clientside_callback(js("onPoll"), Input(ids.POLL, "n_intervals"))
    app.clientside_callback(js("onTick"), Input(ids.TICK, "n_intervals"))
