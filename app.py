"""MOVA Live: ``create_app(settings)`` builds the Dash app on the hub; ``main()`` serves it.

``main()`` is also the installed ``mova-live`` command: ``mova-live [serve] [flags]``
serves with the flags of ``python app.py``; other subcommands (``COMMANDS``) hand
the rest of the command line to their own module's ``main(argv, prog)``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hub.settings import Settings, SettingsError, load

if TYPE_CHECKING:
    import dash

    from hub.hub import Hub

HERE = Path(__file__).parent

# subcommand -> module with main(argv, prog) -> exit code; imported only when asked for
COMMANDS = {
    "publish": "mova_publish.cli",  # post one event (the publishing client's CLI)
    "users": "hub.access.cli",  # people who sign in (hub/access)
    "tokens": "hub.access.cli",  # API tokens for scripts
}


def create_app(settings: Settings, hub: Hub | None = None) -> dash.Dash:
    """The Dash app with the hub's API and socket mounted before Dash's routes."""
    # imported here, not at the top: `python app.py users ...` needs none of Dash (seconds of imports)
    import dash
    from flask import Flask

    import callbacks
    from components.client import ASSETS_PATH_IGNORE, client_scripts
    from components.layout import INDEX_STRING, page
    from hub.hub import Hub
    from hub.server.guard import SCRIPT_HASHES

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
        index_string=INDEX_STRING,
        suppress_callback_exceptions=True,
    )
    app.layout = page(settings)
    callbacks.register(app, settings)
    server.config[SCRIPT_HASHES] = app.csp_hashes()  # the page's inline scripts, allowed by hash (hub/server/guard.py)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        command = importlib.import_module(COMMANDS[args[0]])
        return int(command.main(args[1:], prog=f"mova-live {args[0]}"))
    if args and args[0] == "serve":
        args = args[1:]
    elif args[:1] in (["-h"], ["--help"]):
        print("commands: [serve] (the default) FLAGS, " + ", ".join(f"{c} ... (see {c} --help)" for c in COMMANDS))
    try:
        settings = load(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from hub.access.cli import first_run_notice
    from hub.server.serve import serve_forever

    first_run_notice(settings)
    return serve_forever(settings, create_app)


if __name__ == "__main__":
    sys.exit(main())
