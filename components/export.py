"""Issue 4: the metrics export dialog (series, range, format, layout) behind a toolbar button.

The download is a direct link to GET /api/metrics/export, rebuilt in the
browser whenever a choice changes, so the server streams the file straight to
the browser's download (no callback round-trip holds the data). Opening the
dialog picks what the charts show: their series and their range.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.config import RANGES
from components.icons import icon

FORMATS = (("csv", "CSV"), ("jsonl", "JSON Lines"), ("parquet", "Parquet"))
LAYOUTS = (("long", "Long: time, series, value"), ("wide", "Wide: one column per series"))


def export_button() -> html.Button:
    return html.Button(
        [icon("device-floppy", 16), html.Span("Export")],
        id=ids.EXPORT_OPEN,
        className="btn btn-sm btn-outline-secondary pause-button",
        type="button",
        n_clicks=0,
        title="Export metric series as CSV, JSON Lines or Parquet",
    )


def _field(label: str, control: object) -> html.Div:
    return html.Div([html.Label(label, className="export-label"), control], className="export-field")


def export_modal() -> dbc.Modal:
    body = dbc.ModalBody(
        [
            _field(
                "Series",
                dcc.Dropdown(
                    id=ids.EXPORT_SERIES,
                    options=[],
                    value=[],
                    multi=True,
                    placeholder="Pick series…",
                    className="series-picker w-100",
                ),
            ),
            _field(
                "Range",
                dbc.RadioItems(
                    id=ids.EXPORT_RANGE,
                    options=[{"label": label, "value": key} for key, label, _s in RANGES],
                    value="live",
                    inline=True,
                    class_name="btn-group range-group",
                    input_class_name="btn-check",
                    label_class_name="btn btn-sm btn-outline-secondary",
                    label_checked_class_name="active",
                ),
            ),
            _field(
                "Format",
                dbc.RadioItems(
                    id=ids.EXPORT_FORMAT,
                    options=[{"label": label, "value": key} for key, label in FORMATS],
                    value="csv",
                    inline=True,
                ),
            ),
            _field(
                "Layout",
                dbc.RadioItems(
                    id=ids.EXPORT_LAYOUT,
                    options=[{"label": label, "value": key} for key, label in LAYOUTS],
                    value="long",
                    inline=True,
                ),
            ),
            html.Div("", id=ids.EXPORT_SUMMARY, className="export-summary"),
        ]
    )
    footer = dbc.ModalFooter(
        html.A(
            [icon("device-floppy", 16), html.Span("Download")],
            id=ids.EXPORT_DOWNLOAD,
            href=None,
            download="",
            className="btn btn-primary btn-sm d-inline-flex align-items-center gap-2",
        )
    )
    return dbc.Modal(
        [dbc.ModalHeader(dbc.ModalTitle("Export metrics")), body, footer],
        id=ids.EXPORT_MODAL,
        is_open=False,
        centered=True,
        class_name="mova-modal",
    )
