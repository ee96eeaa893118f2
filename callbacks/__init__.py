"""Callbacks, one module per feature, each with ``register(app, settings)``.

The live path is clientside (assets/mova_live.js, namespace
``window.dash_clientside.mova``): these modules only wire its functions to the
page's components, so no event ever costs a server round-trip.
"""

from __future__ import annotations

import dash

from callbacks import alerts, charts, export, feed, live, notifications, panels, status, store
from hub.settings import Settings

FEATURES = (live, status, notifications, charts, feed, panels, export, store, alerts)


def register(app: dash.Dash, settings: Settings) -> None:
    """Register every feature's callbacks."""
    for feature in FEATURES:
        feature.register(app, settings)
