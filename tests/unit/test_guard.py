"""hub/server/guard.py on a real Flask app: an unexpected exception is a JSON 500 under /api and /ws, with the headers."""

from __future__ import annotations

import pytest
from flask import Flask

from hub.server import guard
from hub.server.hostpolicy import HostPolicy
from hub.settings import Settings


@pytest.fixture
def client():
    server = Flask(__name__)
    guard.install(server, HostPolicy.from_settings(Settings()))

    @server.get("/api/boom")
    def api_boom() -> str:
        raise RuntimeError("a bug")

    @server.get("/ws")
    def ws_boom() -> str:
        raise KeyError("a bug")

    @server.get("/page")
    def page_boom() -> str:
        raise ValueError("a bug")

    return server.test_client()


@pytest.mark.parametrize("path", ["/api/boom", "/ws"])
def test_unexpected_errors_under_api_and_ws_are_json_500(client, path: str) -> None:
    response = client.get(path, headers={"Host": "127.0.0.1"})
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert "internal server error" in response.get_json()["error"]
    assert "a bug" not in response.get_data(as_text=True)  # no internals to the client
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_unexpected_error_elsewhere_is_a_plain_500_with_headers(client) -> None:
    response = client.get("/page", headers={"Host": "localhost"})
    assert response.status_code == 500 and response.mimetype == "text/plain"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_flask_404_under_api_is_json(client) -> None:
    response = client.get("/api/none-such", headers={"Host": "localhost"})
    assert response.status_code == 404 and response.get_json()["error"].startswith("Not Found")
