"""Hostile HTTP against the real server: security headers, Host allow-list, foreign Origins, JSON errors.

Each class is tried with several examples: every kind of response carries the
headers; every route refuses a foreign Host with 421 JSON; every write and the
socket refuse a foreign Origin; Flask's own errors under /api and /ws are JSON.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import websocket

from tests.server import ServerProcess

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
EVENT = {"type": "notification", "data": {"level": "info", "title": "hi"}}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("hostile") / "data",
        "--no-collector",
        "--allowed-host",
        "dash.example.org",
        "--allowed-host",
        "*.ops.example",
        "--public-url",
        "https://mova.example.com",
    ).start()
    assert server.post(EVENT).status_code == 202
    try:
        yield server
    finally:
        server.stop()


def raw(server: ServerProcess, method: str, path: str, host: str | None = None, **kw: object) -> requests.Response:
    headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
    if host is not None:
        headers["Host"] = host
    return requests.request(method, server.url + path, headers=headers, timeout=10, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),  # the page
        ("GET", "/api/health", 200),  # the API
        ("GET", "/assets/mova.css", 200),  # an asset
        ("GET", "/_dash-layout", 200),  # Dash's own route
        ("GET", "/api/events/export?format=csv", 200),  # a streamed download
        ("GET", "/api/no-such-thing", 404),  # an error of ours
        ("PROPFIND", "/api/health", 405),  # an error of Flask's
        ("GET", "/api/events?limit=0", 400),
    ],
)
def test_every_response_carries_security_headers(web: ServerProcess, method: str, path: str, status: int) -> None:
    response = raw(web, method, path)
    assert response.status_code == status, response.text[:200]
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "host",
    [
        "evil.test",
        "evil.test:{port}",
        "localhost.evil.test",  # a local name as a prefix
        "127.0.0.1.nip.io",  # a public name that resolves to loopback
        "dash.example.org.evil.test",
        "ops.example",  # the wildcard is for subdomains only
        "",
        "a b",
    ],
)
@pytest.mark.parametrize("path", ["/", "/api/events", "/api/health", "/assets/mova.css", "/ws"])
def test_foreign_host_gets_421_json_on_every_route(web: ServerProcess, host: str, path: str) -> None:
    response = raw(web, "GET", path, host=host.format(port=web.port))
    assert response.status_code == 421, response.text[:200]
    assert response.headers["Content-Type"] == "application/json"
    assert "--allowed-host" in response.json()["error"]


def test_foreign_host_cannot_post(web: ServerProcess) -> None:
    before = web.get("/api/status").json()["last_seq"]
    response = raw(web, "POST", "/api/events", host="evil.test", json=EVENT)
    assert response.status_code == 421
    assert web.get("/api/status").json()["last_seq"] == before


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST",
        "app.localhost:{port}",
        "[::1]:{port}",
        "dash.example.org",  # --allowed-host
        "eu.ops.example:443",  # --allowed-host *.ops.example
        "mova.example.com",  # --public-url
        "localhost.",
    ],
)
def test_allowed_hosts_are_served(web: ServerProcess, host: str) -> None:
    response = raw(web, "GET", "/api/health", host=host.format(port=web.port))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.test",
        "http://localhost:1",  # another local app on another port
        "http://127.0.0.1:{other}",
        "null",  # a sandboxed frame or a file:// page
        "https://mova.example.com.evil.test",
        "ftp://127.0.0.1:{port}",
    ],
)
def test_foreign_origin_cannot_write_or_open_the_socket(web: ServerProcess, origin: str) -> None:
    origin = origin.format(port=web.port, other=web.port + 1)
    before = web.get("/api/status").json()["last_seq"]
    response = raw(web, "POST", "/api/events", json=EVENT, headers={"Origin": origin})
    assert response.status_code == 403 and "Origin" in response.json()["error"]
    assert web.get("/api/status").json()["last_seq"] == before
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(web.ws_url, origin=origin, timeout=5)
    assert refused.value.status_code == 403


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:{port}",
        "http://localhost:{port}",
        "https://mova.example.com",
        "http://dash.example.org:{port}",
    ],
)
def test_own_origins_may_write_and_open_the_socket(web: ServerProcess, origin: str) -> None:
    origin = origin.format(port=web.port)
    assert raw(web, "POST", "/api/events", json=EVENT, headers={"Origin": origin}).status_code == 202
    ws = websocket.create_connection(web.ws_url, origin=origin, timeout=5)
    try:
        assert '"kind":"hello"' in ws.recv()
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("PROPFIND", "/api/health", 405),
        ("TRACE", "/api/events", 405),
        ("DELETE", "/ws", 405),
        ("POST", "/ws", 405),
    ],
)
def test_flask_errors_under_api_and_ws_are_json(web: ServerProcess, method: str, path: str, status: int) -> None:
    response = raw(web, method, path)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]
