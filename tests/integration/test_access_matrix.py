"""The role x route matrix, built from the app's own url_map: every route, every kind of caller, real requests.

A route added without a row in hub/access/rules.py fails test_every_route_has_a_rule; a rule
that stops being enforced (or a route that checks the wrong thing) fails the matrix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

from app import create_app
from hub.access.rules import ENDPOINT_RULES, INGEST, PAGE_ENDPOINTS, PUBLIC, ROLE_PERMISSIONS, SCOPE_PERMISSIONS
from hub.settings import load
from tests.access import add_user, create_token, login
from tests.server import ServerProcess

SAMPLE = {"path": "some/page", "rest": "nope", "filename": "mova.css", "name": "nobody", "silence_id": "1"}
# routes whose call changes the caller's own sign-in, or only say "you are signed in/out": they are
# public by rule and tested in test_access_sessions.py
SIGN_IN_ROUTES = {"mova_access.login", "mova_access.logout", "mova_access.setup"}


def url_map_routes(tmp_path: Path) -> list[tuple[str, str, str]]:
    """(endpoint, path with sample values, method) for every rule of the real app."""
    app = create_app(load(["--data-dir", str(tmp_path / "routes"), "--no-collector"]))
    try:
        routes = []
        for rule in app.server.url_map.iter_rules():
            path = rule.rule
            if rule.endpoint.startswith("/_dash-component-suites"):
                path = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4_4_1m1.min.js"
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: SAMPLE.get(m.group(1), "x"), path)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                routes.append((rule.endpoint, path, method))
        return routes
    finally:
        app.server.extensions["mova_hub"].close()


def test_every_route_has_a_rule(tmp_path: Path) -> None:
    missing = sorted({e for e, _, _ in url_map_routes(tmp_path)} - set(ENDPOINT_RULES))
    assert not missing, f"routes with no access rule in hub/access/rules.py: {missing}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("matrix")
    for name, role in (("vera", "viewer"), ("otto", "operator"), ("ada", "admin")):
        add_user(data, name, role)
    tokens = {s: create_token(data, f"t-{s}", s) for s in ("read", "ingest", "admin")}
    server = ServerProcess(data, "--no-collector", "--token", "legacy-ingest-1").start()
    callers: dict[str, tuple[requests.Session, frozenset[str]]] = {"anonymous": (requests.Session(), frozenset())}
    for name, role in (("vera", "viewer"), ("otto", "operator"), ("ada", "admin")):
        callers[role] = (login(server, name), ROLE_PERMISSIONS[role])
    for scope, token in tokens.items():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        callers[f"token:{scope}"] = (session, SCOPE_PERMISSIONS[scope])
    legacy = requests.Session()
    legacy.headers["Authorization"] = "Bearer legacy-ingest-1"
    callers["--token"] = (legacy, frozenset({INGEST}))
    yield server, callers, url_map_routes(data.parent / "routes-app")
    server.stop()


def allowed(need: str, permissions: frozenset[str]) -> bool:
    return need == PUBLIC or need in permissions


def call(server: ServerProcess, session: requests.Session, endpoint: str, path: str, method: str) -> int:
    if path == "/ws":
        headers = [f"{k}: {v}" for k, v in session.headers.items() if k in ("Authorization",)]
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies) or None
        try:
            ws = websocket.create_connection(server.ws_url, timeout=10, header=headers, cookie=cookie)
        except websocket.WebSocketBadStatusException as exc:
            return int(exc.status_code)
        ws.close()
        return 101
    body: Any = [{"type": "notification", "data": {"level": "info", "title": "m"}}] if path == "/api/events" else {}
    kwargs: dict[str, Any] = {"json": body} if method != "GET" else {}
    response = session.request(method, server.url + path, timeout=20, allow_redirects=False, **kwargs)
    if response.status_code == 302 and endpoint in PAGE_ENDPOINTS and "/login" in response.headers["Location"]:
        return 401  # a page's way of saying "sign in first"
    return response.status_code


def test_role_x_route_matrix(world) -> None:
    server, callers, routes = world
    wrong = []
    for endpoint, path, method in routes:
        if endpoint in SIGN_IN_ROUTES:
            continue
        need = ENDPOINT_RULES[endpoint]
        for who, (session, permissions) in callers.items():
            status = call(server, session, endpoint, path, method)
            denied = status in (401, 403)
            if denied == allowed(need, permissions):
                wrong.append(f"{who} {method} {path} (needs {need}) -> {status}")
    assert not wrong, "\n".join(wrong)
    assert "hub/access" not in server.output()  # no error of ours (Dash's own answer an empty callback body with a 500)
