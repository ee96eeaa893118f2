"""The live client's own wiring: boot from the page config, the socket's state, the REST poll.

Everything runs in the browser (assets/client/client.js, namespace ``mova_live``). Socket frames
have no callback: the client reads them from the component's socket (assets/client/workarounds.js
says why). Each panel's callbacks are in its own module here: ``Input(ids.panel_events(name))``,
the store the client writes when the panel has new events, drives the panel's JS ``update``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ClientsideFunction, Input

from components import ids


def js(module: str, function: str) -> ClientsideFunction:
    """Function ``function`` of the JS module ``module`` (assets/client/panel_<module>.js or client.js)."""
    return ClientsideFunction(namespace=f"mova_{module}", function_name=function)


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(js("live", "boot"), Input(ids.CONFIG, "data"))
    app.clientside_callback(js("live", "socketState"), Input(ids.SOCKET, "state"))
    app.clientside_callback(js("live", "poll"), Input(ids.POLL, "n_intervals"))
