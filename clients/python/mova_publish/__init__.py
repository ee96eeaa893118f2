"""mova-live-publish: the publishing client of MOVA Live, installable without the server.

Services send events to a hub over HTTP with ``Publisher`` (batched, retried,
never blocking the caller), turn their WARNING-and-above log records into
notifications with ``PublishHandler``, and shell scripts post one event with the
``mova-publish`` command. It needs only requests and orjson: no Dash, pandas or
pyarrow. The server (distribution ``mova-live``) depends on it for its demo and
re-exports it as ``hub.publish``.
"""

from __future__ import annotations

from mova_publish.cli import main
from mova_publish.handler import PublishHandler
from mova_publish.publisher import DEFAULT_URL, Publisher, PublisherStats, error_of, retry_after_seconds

__version__ = "0.1.0"
__all__ = [
    "DEFAULT_URL",
    "PublishHandler",
    "Publisher",
    "PublisherStats",
    "error_of",
    "main",
    "retry_after_seconds",
]
