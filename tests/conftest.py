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

# what tests the SQLite file itself, with no PostgreSQL counterpart: skipped under MOVA_TEST_BACKEND=scale
SQLITE_FILE_ONLY = {
    "test_wiped_store_sends_reset_to_a_client_from_before": (
        "wipes the data dir to get a new store; a PostgreSQL store lives in its database "
        "(a new database is a new epoch: tests/scale/test_scale.py::test_scale006)"
    ),
    "test_full_store_answers_503_degrades_health_and_recovers": (
        "--max-db-mb caps the SQLite file; PostgreSQL's disk is the database's business "
        "(its outage answers 503 too: tests/scale/test_scale.py::test_scale008)"
    ),
    "test_readonly001_ingest_answers_503_degrades_and_recovers": (
        "injects EROFS into SQLite's file writes; PostgreSQL writes in its own server "
        "(a PostgreSQL outage: tests/scale/test_scale.py::test_scale008)"
    ),
    "test_readonly002_spells_under_load_store_every_202_once": (
        "injects EROFS into SQLite's file writes; PostgreSQL writes in its own server "
        "(a PostgreSQL outage: tests/scale/test_scale.py::test_scale008)"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SCALE:
        return
    for item in items:
        reason = SQLITE_FILE_ONLY.get(getattr(item, "originalname", item.name))
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"SQLite file only: {reason}"))


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
