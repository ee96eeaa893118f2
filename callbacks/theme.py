"""The theme toggle: light or dark, remembered in the browser (assets/client/panel_theme.js, assets/01_theme.js).

The theme is applied before Dash renders (from localStorage, or else prefers-color-scheme); this
callback switches it on a click and keeps the button's aria-pressed true while the light theme is on.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output

from callbacks.live import js
from components import ids


def register(app: dash.Dash, settings: Any) -> None:
    app.clientside_callback(
        js("theme", "toggle"),
        Output(ids.THEME_TOGGLE, "aria-pressed"),
        Input(ids.THEME_TOGGLE, "n_clicks"),
    )
