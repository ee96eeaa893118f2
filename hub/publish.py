"""The publishing client, re-exported: it lives in its own distribution, clients/python (``mova_publish``).

DESIGN.md §1: the client is apart from the server, so that a service can install
it without Dash, pandas or pyarrow (``pip install ./clients/python``). This module
keeps ``from hub.publish import Publisher`` and ``python -m hub.publish TYPE JSON``
working for code written before the move; new code imports ``mova_publish``.
"""

from __future__ import annotations

import sys

from mova_publish import DEFAULT_URL, Publisher, PublisherStats, PublishHandler, error_of, main, retry_after_seconds

__all__ = ["DEFAULT_URL", "PublishHandler", "Publisher", "PublisherStats", "error_of", "main", "retry_after_seconds"]

if __name__ == "__main__":
    sys.exit(main(prog="python -m hub.publish"))
