"""MOVA Live: ``create_app(settings)`` builds the Dash app on the hub; ``main()`` serves it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import dash
from flask import Flask

import callbacks
from components.client import ASSETS_PATH_IGNORE, client_scripts
from components.layout import page
from hub.guard import SCRIPT_HASHES
from hub.hub import Hub
from hub.settings import Settings, SettingsError, load

HERE = Path(__file__).parent


def create_app(settings: Settings, hub: Hub | None = None) -> dash.Dash:
    """The Dash app with the hub's API and socket mounted before Dash's routes."""
    hub = hub or Hub(settings)
    server = Flask(__name__)
    server.extensions["mova_hub"] = hub
    hub.init_app(server)
    app = dash.Dash(
        __name__,
        server=server,
        title="MOVA Live",
        assets_folder=str(HERE / "assets"),
        # the browser client's modules load in the order components/client.py lists, not by file name
        assets_path_ignore=ASSETS_PATH_IGNORE,
        external_scripts=client_scripts(),
        update_title=None,
        suppress_callback_exceptions=True,
    )
    app.layout = page(settings)
    callbacks.register(app, settings)
    server.config[SCRIPT_HASHES] = app.csp_hashes()  # the page's inline scripts, allowed by hash (hub/guard.py)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = load(sys.argv[1:] if argv is None else argv)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from hub.serve import serve_forever

    return serve_forever(settings, create_app)


if __name__ == "__main__":
    sys.exit(main())
