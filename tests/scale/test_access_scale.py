"""Sign-in across processes: accounts, sessions and tokens live in PostgreSQL, so any process honours them.

Two real server processes share one PostgreSQL store and one Redis bus (tests/scale/services.py);
users and tokens are made with the real CLI against the same database.
"""

from __future__ import annotations

from pathlib import Path

import requests

from tests.access import add_user, close_code, create_token, login, open_socket
from tests.scale.services import ScaleUrls
from tests.server import ServerProcess, wait_until


def test_access001_sign_in_on_a_socket_on_b_sign_out_on_a_closes_it(
    server_factory, scale_urls: ScaleUrls, tmp_path: Path
) -> None:
    backend = tuple(scale_urls.args)
    add_user(tmp_path / "cli", "ada", "admin", backend=backend)
    add_user(tmp_path / "cli", "vera", "viewer", backend=backend)
    read = create_token(tmp_path / "cli", "grafana", "read", backend=backend)
    a = server_factory("--no-collector", "--auth", "required", *backend, data_dir=tmp_path / "a")
    b = server_factory("--no-collector", "--auth", "required", *backend, data_dir=tmp_path / "b")
    assert b.get("/api/events").status_code == 401
    vera = login(a, "vera")  # signed in through process A ...
    to_b = requests.Session()
    to_b.cookies.update({"mova_session": vera.cookies["mova_session"]})
    assert to_b.get(b.url + "/api/events", timeout=10).status_code == 200  # ... read through process B
    ws = open_socket(b, to_b)  # the socket on B, by A's session
    token_ws = open_socket(b, token=read)
    # what a process does reaches the others' sockets: sign out (A) closes the socket (B) with 4401
    assert vera.post(a.url + "/logout", json={}, timeout=10).status_code == 200
    assert close_code(ws) == 4401
    wait_until(lambda: to_b.get(b.url + "/api/events", timeout=10).status_code == 401, 5, 0.2)
    # a token revoked on A stops working on B, its socket included
    ada = login(b, "ada")
    assert ada.delete(b.url + "/api/tokens/grafana", timeout=10).status_code == 200
    assert close_code(token_ws) == 4401
    wait_until(lambda: a.get("/api/status", headers={"Authorization": f"Bearer {read}"}).status_code == 401, 5)
    # the audit events of both processes are in the one shared stream, each stored once
    events = ada.get(a.url + "/api/events", params={"type": "auth", "limit": 5000}, timeout=10).json()["events"]
    types = [e["type"] for e in events]
    assert types.count("auth.user_added") == 2 and types.count("auth.token_revoked") == 1
    assert len({e["id"] for e in events}) == len(events)


def test_access002_first_run_on_postgres_one_setup_link_for_every_process(
    server_factory, scale_urls: ScaleUrls, tmp_path: Path
) -> None:
    a: ServerProcess = server_factory("--no-collector", "--host", "0.0.0.0", *scale_urls.args, data_dir=tmp_path / "a")
    assert a.get("/api/status").status_code == 401
    assert "/setup?token=" in a.output()
