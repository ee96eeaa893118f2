"""Callbacks, one module per feature, each with ``register(app, settings)``.

Every module of this package is registered (a new panel's module needs no line here). The live path
is clientside (assets/client/): these modules only wire its functions to the page's components, so
no event ever costs a server round-trip. ARCHITECTURE.md draws one event's path through them.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

import dash


def features() -> list[ModuleType]:
    """Every module of this package, by name."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def register(app: dash.Dash, settings: Any) -> None:
    """Register every feature's callbacks."""
    for feature in features():
        feature.register(app, settings)
