from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import wsclient
from tests.scale.services import scale_services, scale_urls  # noqa: F401  (fixtures, for MOVA_TEST_BACKEND=scale)
from tests.server import ServerProcess

# MOVA_TEST_BACKEND=scale: every server the fixtures start uses PostgreSQL and Redis (tests/scale/services.py)
SCALE = os.environ.get("MOVA_TEST_BACKEND") == "scale"


@pytest.fixture
def server_factory(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator:
    """Start real servers (``python app.py``) on free ports; all are stopped at the end."""
    started: list[ServerProcess] = []
    backend = request.getfixturevalue("scale_urls").args if SCALE else []

    def start(
        *args: str, data_dir: Path | None = None, port: int | None = None, env: dict | None = None
    ) -> ServerProcess:
        server = ServerProcess(data_dir or tmp_path / "data", *args, *backend, port=port, env=env)
        started.append(server)
        return server.start()

    yield start
    while wsclient.OPEN:
        wsclient.OPEN.pop().close()
    for server in started:
        if server.proc is not None and server.proc.poll() is None:
            server.stop()


@pytest.fixture
def server(server_factory) -> ServerProcess:
    """One real server without the host collector (tests publish what they need)."""
    return server_factory("--no-collector")
