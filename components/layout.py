"""The page: top bar, metric charts, operations panels, activity feed, and the live client's parts.

``page(settings)`` is the entry point app.py calls. Everything here is layout; the behaviour lives
in callbacks/ (the wiring a reader follows) and assets/client/ (the browser client).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash_extensions import WebSocket

from components import ids
from components.alerts import alerts_card
from components.charts import charts_section
from components.client import client_config
from components.export import export_modal
from components.feed import feed_card
from components.ingest import ingest_card
from components.panels import panels_section
from components.topbar import top_bar

# Dash's own page with a language (screen readers pick their voice by it; axe html-has-lang) and no IE banner
INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def live_client(config: dict[str, Any]) -> html.Div:
    """The parts of the live client that have no look: the config, the socket, the poll's timer."""
    return html.Div(
        [
            dcc.Store(id=ids.CONFIG, data=config),
            # no url: the client sets it after loading the initial state from REST (NOTES.md)
            WebSocket(id=ids.SOCKET),
            dcc.Store(id=ids.NOTIFICATION_STATE, storage_type="local"),
            dcc.Interval(id=ids.POLL, interval=config["poll_interval_ms"], disabled=True),
        ],
        hidden=True,
    )


def page(settings: Any) -> html.Div:
    """The whole dashboard."""
    main = html.Main(
        html.Div(
            [
                html.Div([charts_section(), panels_section(), alerts_card(), ingest_card()], className="col-charts"),
                html.Div(feed_card(settings.feed_max_items), className="col-feed"),
            ],
            className="page-grid",
        ),
        className="page-main",
    )
    parts: list[Any] = [
        top_bar(),
        main,
        html.Div(id=ids.TOASTS, className="toast-stack", children=[]),
        export_modal(),
    ]
    return html.Div([*parts, live_client(client_config(settings, parts))], className="mova-app")
