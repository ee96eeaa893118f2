"""Callbacks, one module per feature, each with register(app, settings)."""

from __future__ import annotations

import dash

from hub.settings import Settings


def register(app: dash.Dash, settings: Settings) -> None:
    """Register every feature's callbacks."""
