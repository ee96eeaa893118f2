"""Ingest rate per source: which publishers send how much, over the last 10 seconds or minute.

The recipe's example panel (ARCHITECTURE.md "Adding a panel"): this card (a header, the window
choice, a list the JS module fills), callbacks/ingest.py (the window choice -> the JS module) and
assets/client/panel_ingest.js (what it counts and how it paints).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.icons import icon


def ingest_card() -> dbc.Card:
    head = html.Div(
        html.Div(
            [
                icon("arrows-exchange", 18),
                html.Span("Ingest rate by source"),
                html.Span(id=ids.INGEST_RATE_COUNT, className="feed-count"),
            ],
            className="card-title-row",
        ),
        className="card-head",
    )
    window = dcc.RadioItems(
        id=ids.INGEST_WINDOW,
        options=[{"label": "10 s", "value": 10}, {"label": "1 min", "value": 60}],
        value=10,
        inline=True,
        className="ingest-window px-3 pb-1 small",
        inputClassName="me-1",
        labelClassName="me-3",
    )
    # Dash renders the list empty and never again: assets/client/panel_ingest.js keeps its rows
    return dbc.Card(
        [head, window, html.Div(id=ids.INGEST_RATE, className="panel-list ingest-list")],
        class_name="mova-card panel-card mt-3",
    )
