"""Placeholder page; replaced by the dashboard layout."""

from __future__ import annotations

from dash import html

from hub.settings import Settings


def page(settings: Settings) -> html.Div:
    return html.Div([html.H1("MOVA Live"), html.Div("Connecting", id="status-badge")])
