"""Icons: Tabler icons through dash-iconify, preloaded by assets/00_icons.js (no network)."""

from __future__ import annotations

from typing import Any

from dash_iconify import DashIconify

PREFIX = "tabler:"

# one icon and one colour class per feed category; assets/mova_helpers.js has the same table for live rows
CATEGORY_ICONS: dict[str, str] = {
    "system": "server",
    "ml": "brain",
    "file": "file",
    "user": "user",
    "notification": "bell",
    "alert": "alert-triangle",
    "plugin": "puzzle",
    "analytics": "chart-bar",
    "metrics": "gauge",
}
OTHER_ICON = "circle-dot"


def icon(name: str, size: int = 18, **kwargs: Any) -> DashIconify:
    """A Tabler icon by its short name (``bell``), sized in pixels."""
    return DashIconify(icon=PREFIX + name, width=size, height=size, **kwargs)


def category_icon(category: str) -> str:
    return CATEGORY_ICONS.get(category, OTHER_ICON)
