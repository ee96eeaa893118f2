"""Metric chart cards: one dcc.Graph per panel (ids ``chart-*``), the range selector and pause.

Figures are built once here; afterwards the browser only extends them
(``extendData``) or patches their data, so a user's zoom and legend choices
survive live updates (NOTES.md: replacing a figure loses the zoom).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.config import CHARTS, RANGES, ChartSpec
from components.export import export_button
from components.icons import icon

PALETTE = ("#4f8cff", "#2fbf71", "#f5a524", "#a371f7", "#22b8cf", "#f0506e")
GRID = "rgba(139,147,167,0.14)"
TEXT = "#8b93a7"
CHART_HEIGHT = 210


def empty_figure(names: tuple[str, ...], unit: str, colours: tuple[str, ...] = PALETTE) -> dict[str, Any]:
    """A themed line figure with one empty trace per series; the browser fills it."""
    traces = []
    for i, name in enumerate(names):
        colour = colours[i % len(colours)]
        traces.append(
            {
                "type": "scatter",
                # lines; the browser turns markers on for a trace holding a point alone between two
                # breaks, which a line cannot show (assets/client/panel_charts.js modeFor): markers on
                # every point cost each live redraw ~2 % of a core (bench/results.md section 6)
                "mode": "lines",
                "marker": {"color": colour, "size": 3},
                "name": name,
                "x": [],
                "y": [],
                "line": {"color": colour, "width": 2, "shape": "linear"},
                # the server's null points (GET /api/metrics: every outage, every new run) stay breaks
                "connectgaps": False,
                # no area fill: Plotly fills across a null point, which would draw the outage as a slope again
                "fill": "none",
                "hovertemplate": ("%{y:.1f}%" if unit == "%" else "%{y:.3s}" + unit) + "<extra>" + name + "</extra>",
            }
        )
    yaxis: dict[str, Any] = {"gridcolor": GRID, "zeroline": False, "tickfont": {"color": TEXT, "size": 11}}
    if unit == "%":
        yaxis.update(range=[0, 100], ticksuffix="%", fixedrange=False)
    else:
        yaxis.update(rangemode="tozero", tickformat="~s", ticksuffix=unit)
    return {
        "data": traces,
        "layout": {
            "uirevision": "keep",  # legend and zoom belong to the user, not to updates
            "height": CHART_HEIGHT,
            "margin": {"l": 48, "r": 12, "t": 8, "b": 28},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "color": TEXT},
            "showlegend": len(names) > 1,
            "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12, "font": {"size": 11}},
            "hovermode": "x unified",
            "hoverlabel": {"bgcolor": "#1d2230", "bordercolor": "#2b3242", "font": {"color": "#d8dee9"}},
            "xaxis": {
                "type": "date",
                "gridcolor": GRID,
                "showline": False,
                # seconds when zoomed in, hours and minutes for hours, dates beyond a day
                "tickformatstops": [
                    {"dtickrange": [None, 30_000], "value": "%H:%M:%S"},
                    {"dtickrange": [30_000, 86_400_000], "value": "%H:%M"},
                    {"dtickrange": [86_400_000, None], "value": "%b %d"},
                ],
                "hoverformat": "%b %d, %H:%M:%S",
                "tickangle": 0,  # level labels: Plotly skips measuring them for an angle on every redraw
                "tickfont": {"color": TEXT, "size": 11},
            },
            "yaxis": yaxis,
        },
    }


# no mode bar: drag to zoom, double-click to reset; the range buttons cover the rest
GRAPH_CONFIG: dict[str, Any] = {"displayModeBar": False, "displaylogo": False, "responsive": True}


def chart_card(spec: ChartSpec) -> dbc.Card:
    return dbc.Card(
        [
            html.Div(
                [
                    html.Div([icon(spec.icon, 18), html.Span(spec.title)], className="card-title-row"),
                    html.Span(id=f"{ids.CHART_STATS}-{spec.id}", className="chart-stat"),
                ],
                className="card-head",
            ),
            dcc.Graph(id=spec.id, figure=empty_figure(spec.labels, spec.unit), config=GRAPH_CONFIG, className="chart"),
        ],
        class_name="mova-card",
    )


def custom_chart_card() -> dbc.Card:
    return dbc.Card(
        [
            html.Div(
                [
                    html.Div([icon("chart-line", 18), html.Span("Any series")], className="card-title-row"),
                    html.Div(
                        [
                            dcc.Dropdown(
                                id=ids.CHART_SERIES,
                                options=[],
                                value=None,
                                placeholder="Pick a series…",
                                clearable=False,
                                className="series-picker",
                            ),
                            html.Span(id=f"{ids.CHART_STATS}-{ids.CHART_CUSTOM}", className="chart-stat"),
                        ],
                        className="d-flex align-items-center gap-2 flex-grow-1 justify-content-end",
                    ),
                ],
                className="card-head",
            ),
            dcc.Graph(
                id=ids.CHART_CUSTOM,
                figure=empty_figure(("series",), "", ("#a371f7",)),
                config=GRAPH_CONFIG,
                className="chart",
            ),
        ],
        class_name="mova-card",
    )


def chart_toolbar() -> html.Div:
    return html.Div(
        [
            html.Div([icon("chart-line", 20), html.H2("Metrics", className="section-title")], className="section-head"),
            html.Div(
                [
                    dbc.RadioItems(
                        id=ids.CHART_RANGE,
                        options=[{"label": label, "value": key} for key, label, _s in RANGES],
                        value="live",
                        inline=True,
                        class_name="btn-group range-group",
                        input_class_name="btn-check",
                        label_class_name="btn btn-sm btn-outline-secondary",
                        label_checked_class_name="active",
                    ),
                    html.Button(
                        [
                            icon("player-pause", 16, id=ids.CHART_PAUSE + "-icon"),
                            html.Span("Pause", id=ids.CHART_PAUSE_LABEL),
                        ],
                        id=ids.CHART_PAUSE,
                        className="btn btn-sm btn-outline-secondary pause-button",
                        type="button",
                        n_clicks=0,
                    ),
                    export_button(),
                ],
                className="d-flex align-items-center gap-2 flex-wrap",
            ),
        ],
        className="section-bar",
    )


def charts_section() -> html.Section:
    grid = dbc.Row([dbc.Col(chart_card(spec), xs=12, md=6) for spec in CHARTS], class_name="g-3 mb-3")
    return html.Section([chart_toolbar(), grid, custom_chart_card()], className="charts-section")
