"""The same app under gunicorn's gevent worker, for bench/slow_clients.py --gevent (a measured alternative only).

gevent was the other serving model considered for slow clients (issue 17): one
greenlet per connection, so idle connections cost no thread. It is not what
``python app.py`` runs; bench/results.md has why (the live path's latency).

    python -m bench.gevent_server --port 8060 --data-dir /tmp/x --no-collector
"""

from __future__ import annotations

import sys

from app import create_app
from hub.server.serve import MovaApplication
from hub.settings import load


class GeventApplication(MovaApplication):
    def load_config(self) -> None:
        super().load_config()
        self.cfg.set("worker_class", "gevent")
        self.cfg.set("worker_connections", 10_000)


if __name__ == "__main__":
    GeventApplication(load(sys.argv[1:]), create_app).run()
