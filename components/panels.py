"""Issue 5 panels: ML jobs (with the selected job's loss curve), models, predictions, transfers, presence, plugins.

Pure layout: each list starts with an empty state and is filled in the browser
(assets/client/panel_*.js) from GET /api/status ``state`` and then the live stream,
one row per job, transfer, user or plugin carrying ``data-*`` attributes.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.icons import icon

LOSS_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True, "staticPlot": False}


def _head(title: str, icon_name: str, count_id: str) -> html.Div:
    return html.Div(
        html.Div(
            [icon(icon_name, 18), html.Span(title), html.Span(id=count_id, className="feed-count")],
            className="card-title-row",
        ),
        className="card-head",
    )


def _list(list_id: str, extra_class: str = "") -> html.Div:
    """A list the panel's JS module fills with DOM rows: Dash renders it empty and never again (an
    empty list shows "Loading…" from CSS until the client paints its first state)."""
    # tabIndex: a list that scrolls is reached and scrolled by keyboard too (axe scrollable-region-focusable)
    return html.Div(id=list_id, className=f"panel-list {extra_class}".strip(), tabIndex=0)


def ml_card() -> dbc.Card:
    loss = html.Div(
        [
            html.Div(id=ids.ML_LOSS_TITLE, className="sub-title"),
            dcc.Graph(
                id=ids.ML_LOSS,
                figure={"data": [], "layout": {"height": 150, "paper_bgcolor": "rgba(0,0,0,0)"}},
                config=LOSS_CONFIG,
                className="loss-graph",
            ),
        ],
        className="ml-loss",
    )
    side = html.Div(
        [
            html.Div("Latest models", className="sub-title"),
            _list(ids.ML_MODELS),
            html.Div("Predictions · last minute", className="sub-title"),
            _list(ids.ML_PREDICTIONS),
        ],
        className="ml-side",
    )
    body = html.Div([html.Div([_list(ids.ML_JOBS), loss], className="ml-main"), side], className="ml-grid")
    return dbc.Card(
        [
            _head("Training jobs", "brain", ids.ML_JOBS_COUNT),
            body,
            dcc.Store(id=ids.ML_SELECTED, data=None),
        ],
        class_name="mova-card ml-card",
    )


def transfers_card() -> dbc.Card:
    return dbc.Card(
        [_head("Transfers", "arrows-exchange", ids.TRANSFERS_COUNT), _list(ids.TRANSFERS)],
        class_name="mova-card panel-card",
    )


def presence_card() -> dbc.Card:
    return dbc.Card(
        [_head("People", "user", ids.PRESENCE_COUNT), _list(ids.PRESENCE)],
        class_name="mova-card panel-card",
    )


def plugins_card() -> dbc.Card:
    return dbc.Card(
        [_head("Plugins", "puzzle", ids.PLUGINS_COUNT), _list(ids.PLUGINS, "plugins-grid")],
        class_name="mova-card panel-card",
    )


def panels_section() -> html.Section:
    """ML on its own row, then transfers, people and plugins side by side."""
    return html.Section(
        [
            html.Div(
                [
                    html.Div(
                        [icon("layout-dashboard", 20), html.H2("Operations", className="section-title")],
                        className="section-head",
                    )
                ],
                className="section-bar",
            ),
            ml_card(),
            dbc.Row(
                [
                    dbc.Col(transfers_card(), xs=12, lg=7),
                    dbc.Col(presence_card(), xs=12, lg=5),
                    dbc.Col(plugins_card(), xs=12),
                ],
                class_name="g-3 mt-0",
            ),
        ],
        className="panels-section",
    )
