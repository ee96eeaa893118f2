"""The alerts card: the rules with their state, acknowledge and silence, a rule's chart and history, the rule form.

Pure layout. The list, the chart with its threshold lines, the history and the
form's live preview are filled by callbacks/alerts.py from the hub's alert
service; every action goes through the same checks as the REST API.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.icons import icon

GRAPH_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}
EMPTY_FIGURE = {"data": [], "layout": {"height": 180, "paper_bgcolor": "rgba(0,0,0,0)"}}
POLL_MS = 5000


def _field(name: str, label: str, control: object, width: int = 6) -> dbc.Col:
    return dbc.Col(
        [dbc.Label(label, class_name="small mb-0"), control], md=width, id={"type": ids.ALERTS_FORM_COL, "field": name}
    )


def _input(name: str, kind: str = "text", placeholder: str = "", value: object = None) -> dbc.Input:
    return dbc.Input(
        id={"type": ids.ALERTS_FORM_FIELD, "field": name},
        type=kind,
        placeholder=placeholder,
        value=value,
        size="sm",
        debounce=False,
    )


def rule_form() -> dbc.Modal:
    """New rule: the fields of a rule, a live preview of its series with the levels, the server's verdict."""
    select = {"size": "sm"}
    fields = dbc.Row(
        [
            _field("id", "Id", _input("id", placeholder="cpu-high")),
            _field("name", "Name", _input("name", placeholder="CPU high")),
            _field(
                "kind",
                "Kind",
                dbc.Select(
                    id={"type": ids.ALERTS_FORM_FIELD, "field": "kind"},
                    options=[{"label": k, "value": k} for k in ("threshold", "absence", "rate")],
                    value="threshold",
                    **select,
                ),
                4,
            ),
            _field(
                "series",
                "Series",
                html.Div(
                    [
                        dbc.Input(
                            id={"type": ids.ALERTS_FORM_FIELD, "field": "series"},
                            type="text",
                            size="sm",
                            list=ids.ALERTS_FORM_SERIES,
                            placeholder="a series name, e.g. cpu.percent",
                        ),
                        html.Datalist(id=ids.ALERTS_FORM_SERIES, children=[]),
                    ]
                ),  # fmt: skip
                8,
            ),
            _field("type", "Event type (absence, rate)", _input("type", placeholder="ml.training.progress"), 8),
            _field("source", "Source", _input("source", placeholder="any"), 4),
            _field(
                "op",
                "When the value is",
                dbc.Select(
                    id={"type": ids.ALERTS_FORM_FIELD, "field": "op"},
                    options=[{"label": "above", "value": "above"}, {"label": "below", "value": "below"}],
                    value="above",
                    **select,
                ),
                3,
            ),
            _field("warning", "Warning", _input("warning", "number"), 3),
            _field("critical", "Critical", _input("critical", "number"), 3),
            _field("recovery", "Clears past", _input("recovery", "number"), 3),
            _field("for", "For (e.g. 1m)", _input("for", placeholder="0s", value="1m"), 4),
            _field("window", "Window (rate)", _input("window", placeholder="60s"), 4),
            _field("notify", "Notify (names, comma-separated)", _input("notify", placeholder="all"), 4),
        ],
        class_name="g-2",
    )
    preview = dcc.Graph(id=ids.ALERTS_FORM_PREVIEW, figure=EMPTY_FIGURE, config=GRAPH_CONFIG, className="alerts-graph")
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("New alert rule")),
            dbc.ModalBody(
                [
                    fields,
                    html.Div("Preview", className="sub-title mt-2"),
                    preview,
                    html.Div("", id=ids.ALERTS_FORM_CHECK, className="small alerts-check"),
                ]  # fmt: skip
            ),
            dbc.ModalFooter(
                [
                    dbc.Button("Cancel", id=ids.ALERTS_FORM_CANCEL, color="secondary", outline=True, size="sm"),
                    dbc.Button("Save rule", id=ids.ALERTS_FORM_SAVE, color="primary", size="sm", disabled=True),
                ]
            ),
        ],
        id=ids.ALERTS_FORM,
        is_open=False,
        size="lg",
    )


def alerts_card() -> dbc.Card:
    head = html.Div(
        html.Div(
            [
                icon("alert-triangle", 18),
                html.Span("Alert rules"),
                html.Span("", id=ids.ALERTS_COUNT, className="feed-count"),
                dbc.Button(
                    "New rule",
                    id=ids.ALERTS_NEW,
                    size="sm",
                    color="primary",
                    outline=True,
                    class_name="ms-auto",
                ),  # fmt: skip
            ],
            className="card-title-row",
        ),
        className="card-head",
    )
    detail = html.Div(
        [
            html.Div("Select a rule to see its chart and history", id=ids.ALERTS_DETAIL_TITLE, className="sub-title"),
            dcc.Graph(id=ids.ALERTS_GRAPH, figure=EMPTY_FIGURE, config=GRAPH_CONFIG, className="alerts-graph"),
            html.Ol([], id=ids.ALERTS_HISTORY, className="panel-list alerts-history", tabIndex=0),
        ],
        className="alerts-detail",
    )
    return dbc.Card(
        [
            head,
            html.Div("", id=ids.ALERTS_MESSAGE, className="small alerts-message", role="status"),
            html.Div(
                [
                    html.Div(
                        html.Div("Loading…", className="empty-state small"),
                        id=ids.ALERTS_LIST,
                        className="panel-list alerts-list",
                        tabIndex=0,
                    ),  # fmt: skip
                    detail,
                ],
                className="alerts-grid",
            ),
            dcc.Interval(id=ids.ALERTS_POLL, interval=POLL_MS),
            dcc.Store(id=ids.ALERTS_CHANGED, data=0),
            dcc.Store(id=ids.ALERTS_SIGNATURE, data=None),
            dcc.Store(id=ids.ALERTS_SELECTED, data=None),
            rule_form(),
        ],
        id=ids.ALERTS_CARD,
        class_name="mova-card alerts-card",
    )
