"""Serving: gunicorn's gthread worker in one process, or Werkzeug for debugging.

The Werkzeug dev server closes WebSockets badly (clients see 1006 and lose the
last frames: ../shared/NOTES.md), so ``python app.py`` runs gunicorn with one
gthread worker whose threads each hold a socket, behind a front that reads
whole requests before a thread takes them (hub/server/worker.py: slow clients). The app (and so the hub's
threads and SQLite connections) is built inside the worker, after the fork. On
SIGTERM or Ctrl-C the worker first closes every socket with 1001 (so pages
reconnect at once), then finishes in-flight requests and closes the store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from hub.server import worker
from hub.server.worker import FrontLimits, MovaWorker
from hub.settings import Settings

_hub: Any = None  # the worker's hub, set when the app is loaded in the worker
PENDING_CONNECTIONS = 5000  # connections a worker holds beyond its threads (file descriptors: ulimit -n)


def _banner(settings: Settings) -> None:
    url = f"http://{settings.host}:{settings.port}"
    print(f"MOVA Live serving on {url}  (data: {settings.db_path}, server: {settings.server})", flush=True)
    if settings.generated_token:
        print(
            f"Bound beyond loopback (or --auth required) with no token set: ingest token is {settings.token}",
            flush=True,
        )


def _close_hub(_server: Any, _worker: Any) -> None:
    if _hub is not None:
        _hub.close()
    exiting = sys.exc_info()[1]  # gunicorn calls this hook while the worker's SystemExit propagates
    if isinstance(exiting, SystemExit) and exiting.code == 0:
        # stored and closed: skip the interpreter's teardown of Dash's modules (a fifth of a second per stop)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class MovaApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, factory: Callable[[Settings], Any]) -> None:
        self.settings = settings
        self.factory = factory
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        self.cfg.set("bind", [f"{s.host}:{s.port}"])
        self.cfg.set("workers", s.workers)  # > 1 only with a shared store and bus (settings.validate)
        self.cfg.set("worker_class", MovaWorker)
        self.cfg.set("threads", s.threads)
        # slow and idle connections wait in the worker's front without a thread (hub/server/worker.py): room for
        # thousands of them beside a thread per socket
        self.cfg.set("worker_connections", s.threads + PENDING_CONNECTIONS)
        worker.LIMITS = FrontLimits(
            s.header_timeout_s, s.body_timeout_s, s.max_connections_per_address, s.max_body_bytes
        )
        # the arbiter restarts a worker silent this long; the gthread loop notifies every
        # second, so only a starved machine gets near it, and a restart would drop every socket
        self.cfg.set("timeout", 120)
        self.cfg.set("graceful_timeout", 3)  # sockets are closed first; HTTP requests are short
        self.cfg.set("keepalive", 5)
        self.cfg.set("loglevel", "warning")
        self.cfg.set("when_ready", lambda _arbiter: _banner(s))
        self.cfg.set("worker_exit", _close_hub)

    def load(self) -> Any:
        global _hub
        app = self.factory(self.settings)
        _hub = worker.hub = app.server.extensions["mova_hub"]
        return app.server


def serve_forever(settings: Settings, factory: Callable[[Settings], Any]) -> int:
    if settings.server == "werkzeug":
        app = factory(settings)
        _banner(settings)
        try:
            app.run(host=settings.host, port=settings.port, debug=False, threaded=True)
        finally:
            app.server.extensions["mova_hub"].close()
        return 0
    MovaApplication(settings, factory).run()
    return 0


if __name__ == "__main__":
    sys.exit("run `python app.py` instead")
