"""Sign-in on the real server: first run, the session cookie, CSRF, sign out everywhere, expiry, throttle, audit.

Real server processes, real HTTP and WebSocket clients, the real CLI writing the real access store.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.access import PASSWORD, add_user, cli, close_code, create_token, login, open_socket
from tests.server import ServerProcess, wait_until

NOTE = {"type": "notification", "data": {"level": "info", "title": "n"}}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One server with an admin, an operator and viewers (loopback with users: sign-in required; --token: ingest
    needs a token, which loopback alone would not)."""
    data = tmp_path_factory.mktemp("team")
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer"), ("bob", "viewer")):
        add_user(data, name, role)
    server = ServerProcess(data, "--no-collector", "--token", "team-ingest-token").start()
    yield server
    server.stop()


def auth_events(server: ServerProcess, admin: requests.Session) -> list[dict]:
    return admin.get(server.url + "/api/events", params={"type": "auth", "limit": 5000}, timeout=10).json()["events"]


def test_first_run_beyond_loopback_serves_nothing_until_the_setup_link_makes_an_admin(server_factory) -> None:
    server = server_factory("--no-collector", "--host", "0.0.0.0")
    link = re.search(r"http://\S+/setup\?token=(\S+)", server.output())
    assert link, server.output()
    for path in ("/api/events", "/api/status", "/api/events/export", "/api/metrics"):
        assert server.get(path).status_code == 401, path
    assert server.get("/", allow_redirects=False).headers["Location"] == "/setup"
    browser = requests.Session()
    form = browser.get(server.url + "/setup", params={"token": link.group(1)}, timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {"csrf_token": csrf, "name": "root", "password": PASSWORD, "token": "wrong-" + link.group(1)}
    headers = {"Origin": server.url}
    assert browser.post(server.url + "/setup", data=fields, headers=headers, timeout=10).status_code == 401
    done = browser.post(
        server.url + "/setup", data={**fields, "token": link.group(1)}, headers=headers, allow_redirects=False
    )
    assert done.status_code == 302 and done.headers["Location"] == "/admin"
    assert browser.get(server.url + "/api/events", timeout=10).status_code == 200
    assert browser.get(server.url + "/api/session", timeout=10).json()["role"] == "admin"
    # the link worked once: it now leads to the sign-in page, and a second admin cannot be made with it
    again = requests.post(server.url + "/setup", data={**fields, "token": link.group(1), "name": "evil"}, timeout=10)
    assert again.status_code in (401, 403)
    assert [u["name"] for u in browser.get(server.url + "/api/users", timeout=10).json()["users"]] == ["root"]


def test_loopback_with_no_user_stays_open_and_auth_required_closes_it(server_factory, tmp_path: Path) -> None:
    open_server = server_factory("--no-collector", data_dir=tmp_path / "open")
    assert open_server.get("/api/events").status_code == 200
    assert open_server.get("/api/session").json()["sign_in_required"] is False
    closed = server_factory("--no-collector", "--auth", "required", data_dir=tmp_path / "closed")
    assert closed.get("/api/events").status_code == 401
    assert "/setup?token=" in closed.output()


def test_auth_open_serves_reads_even_with_users(server_factory, tmp_path: Path) -> None:
    add_user(tmp_path / "d", "ada", "admin")
    server = server_factory("--no-collector", "--auth", "open", data_dir=tmp_path / "d")
    assert server.get("/api/events").status_code == 200
    assert server.get("/api/users").status_code == 401  # administration still needs an admin


def test_cookie_flags_and_a_new_session_id_at_every_sign_in(team) -> None:
    response = requests.post(team.url + "/login", json={"name": "vera", "password": PASSWORD}, timeout=10)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    behind_tls = requests.post(
        team.url + "/login",
        json={"name": "vera", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert "Secure" in behind_tls.headers["Set-Cookie"]
    # fixation: a session id planted before sign-in is never the one after it
    planted = requests.post(
        team.url + "/login",
        json={"name": "vera", "password": PASSWORD},
        headers={"Cookie": "mova_session=planted-by-an-attacker"},
        timeout=10,
    )
    assert planted.cookies["mova_session"] not in ("", "planted-by-an-attacker")
    assert response.cookies["mova_session"] != behind_tls.cookies["mova_session"]
    assert "correct-horse" not in team.output()  # passwords are never logged


def test_csrf_needs_our_origin_and_the_token(team) -> None:
    otto = login(team, "otto")
    url = team.url + "/api/notifications/ack"
    body = {"action": "read", "through_seq": 0}
    token = otto.headers.pop("X-CSRF-Token")
    assert otto.post(url, json=body, timeout=10).status_code == 403  # no token
    assert otto.post(url, json=body, headers={"X-CSRF-Token": "x" * 64}, timeout=10).status_code == 403
    foreign = {"X-CSRF-Token": token, "Origin": "http://evil.example"}
    assert otto.post(url, json=body, headers=foreign, timeout=10).status_code == 403
    del otto.headers["Origin"]
    assert otto.post(url, json=body, headers={"X-CSRF-Token": token}, timeout=10).status_code == 403  # no Origin
    ok = otto.post(url, json=body, headers={"X-CSRF-Token": token, "Origin": team.url}, timeout=10)
    assert ok.status_code == 200
    # the sign-in form: a cross-site form post (no double-submit cookie) is refused
    forged = requests.post(team.url + "/login", data={"name": "otto", "password": PASSWORD, "csrf_token": "x"})
    assert forged.status_code == 403 and "mova_session" not in forged.cookies


def test_viewer_cannot_clear_notifications_for_others_operator_can(team) -> None:
    ada, otto, vera = login(team, "ada"), login(team, "otto"), login(team, "vera")
    token = create_admin_token(team, ada, "notes-bot", "ingest")
    seq = requests.post(team.url + "/api/events", json=[NOTE] * 3, headers={"Authorization": f"Bearer {token}"})
    last = seq.json()["last_seq"]
    before = vera.get(team.url + "/api/notifications/state", timeout=10).json()
    refused = vera.post(team.url + "/api/notifications/ack", json={"action": "clear", "through_seq": last})
    assert refused.status_code == 403 and "ack" in refused.json()["error"]
    assert vera.get(team.url + "/api/notifications/state", timeout=10).json() == before
    cleared = otto.post(team.url + "/api/notifications/ack", json={"action": "clear", "through_seq": last})
    assert cleared.status_code == 200
    assert vera.get(team.url + "/api/notifications/state", timeout=10).json()["cleared_upto"] == last
    ack = vera.get(team.url + "/api/events", params={"type": "notification.ack"}, timeout=10).json()["events"][-1]
    assert ack["data"] == {"action": "clear", "through_seq": last, "by": "otto"}
    bad = otto.post(team.url + "/api/notifications/ack", json={"action": "clear", "through_seq": 10**9})
    assert bad.status_code == 400


def create_admin_token(server: ServerProcess, admin: requests.Session, name: str, *scopes: str) -> str:
    response = admin.post(server.url + "/api/tokens", json={"name": name, "scopes": list(scopes)}, timeout=10)
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def test_sign_out_everywhere_ends_every_session_and_closes_their_sockets(team) -> None:
    here, there = login(team, "bob"), login(team, "bob")
    ws = open_socket(team, there)
    assert here.post(team.url + "/logout", json={"everywhere": True}, timeout=10).status_code == 200
    assert close_code(ws) == 4401
    assert there.get(team.url + "/api/events", timeout=10).status_code == 401
    assert here.get(team.url + "/api/events", timeout=10).status_code == 401
    # a page reconnecting with the ended cookie is told the same way (4401), not left retrying
    stale = requests.Session()
    stale.cookies.update(there.cookies)
    import websocket

    ws = websocket.create_connection(team.ws_url, cookie=f"mova_session={there.cookies['mova_session']}", timeout=10)
    assert close_code(ws) == 4401


def test_tokens_are_scoped_shown_once_stored_hashed_and_revocable(team) -> None:
    ada = login(team, "ada")
    read = create_admin_token(team, ada, "grafana", "read")
    ingest = create_admin_token(team, ada, "trainer", "ingest")
    as_read, as_ingest = ({"Authorization": f"Bearer {t}"} for t in (read, ingest))
    posted = requests.post(team.url + "/api/events", json=NOTE, headers=as_ingest, timeout=10)
    assert posted.status_code == 202
    assert requests.post(team.url + "/api/events", json=NOTE, headers=as_read, timeout=10).status_code == 401
    assert requests.get(team.url + "/api/events", headers=as_ingest, timeout=10).status_code == 403
    events = requests.get(team.url + "/api/events", params={"type": "notification"}, headers=as_read).json()
    assert events["events"][-1]["source"] == "trainer"  # the token's name is the producer
    for path in ("/api/status", "/api/events/export", "/api/metrics/series", "/api/openapi.json"):
        assert requests.get(team.url + path, headers=as_read, timeout=10).status_code == 200, path
    assert requests.get(team.url + "/api/users", headers=as_read, timeout=10).status_code == 403
    ws = open_socket(team, token=read)
    listed = ada.get(team.url + "/api/tokens", timeout=10).json()["tokens"]
    text = str(listed)
    secret = read[len("mova_12345678_") :]  # mova_<id>_<secret>; the secret may itself hold "_"
    assert len(secret) >= 40 and secret not in text and "digest" not in text  # shown once, never again
    grafana = next(t for t in listed if t["name"] == "grafana")
    assert grafana["scopes"] == ["read"] and grafana["last_used"] is not None and grafana["revoked"] is None
    stored = (team.data_dir / "access.sqlite3").read_bytes() + (team.data_dir / "access.sqlite3-wal").read_bytes()
    assert secret.encode() not in stored
    assert ada.delete(team.url + "/api/tokens/grafana", timeout=10).status_code == 200
    assert close_code(ws) == 4401
    wait_until(lambda: requests.get(team.url + "/api/events", headers=as_read).status_code == 401, 5)


def test_changes_are_audit_events_admins_read_and_export(team) -> None:
    ada = login(team, "ada")
    assert ada.post(team.url + "/api/users", json={"name": "carl", "role": "viewer", "password": PASSWORD}).ok
    carl = login(team, "carl")
    ws = open_socket(team, carl)
    assert ada.patch(team.url + "/api/users/carl", json={"role": "operator"}, timeout=10).status_code == 200
    assert close_code(ws) == 4401  # a changed role signs the user out everywhere
    assert ada.patch(team.url + "/api/users/carl", json={"disabled": True}, timeout=10).status_code == 200
    assert requests.post(team.url + "/login", json={"name": "carl", "password": PASSWORD}).status_code == 401
    types = {e["type"] for e in auth_events(team, ada)}
    assert {"auth.user_added", "auth.login", "auth.role_changed", "auth.user_disabled"} <= types
    export = ada.get(team.url + "/api/events/export", params={"type": "auth", "format": "jsonl"}, timeout=10)
    assert export.status_code == 200 and "auth.role_changed" in export.text
    # the last admin cannot lock everyone out
    last = ada.patch(team.url + "/api/users/ada", json={"disabled": True}, timeout=10)
    assert last.status_code == 409 and "last admin" in last.json()["error"]


def test_cli_reads_passwords_from_stdin_never_argv_and_disables_at_once(team) -> None:
    assert cli("users", "add", "eve", "--password", "x" * 12, "--data-dir", str(team.data_dir)).returncode == 2
    short = cli("users", "add", "eve", "--data-dir", str(team.data_dir), stdin="short\n")
    assert short.returncode == 1 and "10 characters" in short.stderr
    vera = login(team, "vera")
    ws = open_socket(team, vera)
    assert cli("users", "disable", "vera", "--data-dir", str(team.data_dir)).returncode == 0
    assert close_code(ws) == 4401
    # another process changed the store: this server's cached answer lasts at most CACHE_S (2 s)
    wait_until(lambda: vera.get(team.url + "/api/events", timeout=10).status_code == 401, 5, 0.2)
    listed = cli("users", "list", "--data-dir", str(team.data_dir)).stdout
    assert re.search(r"vera\s+viewer\s+disabled", listed)
    assert cli("users", "enable", "vera", "--data-dir", str(team.data_dir)).returncode == 0
    token = create_token(team.data_dir, "cli-token", "read")
    assert requests.get(team.url + "/api/status", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_sessions_expire_idle_and_absolute_and_the_socket_is_closed(server_factory, tmp_path: Path) -> None:
    add_user(tmp_path / "d", "ada", "admin")
    # idle: 3 s without a request; absolute: 9 s whatever happens
    server = server_factory(
        "--no-collector", "--session-idle-minutes", "0.05", "--session-max-hours", "0.0025", data_dir=tmp_path / "d"
    )
    idle = login(server, "ada")
    kept = login(server, "ada")
    started = time.monotonic()
    ws = open_socket(server, kept)
    # the idle limit passes with no request from either: only the open socket keeps one alive
    wait_until(lambda: server.get("/api/health").ok and time.monotonic() - started > 4.5, 10, 0.5)
    assert kept.get(server.url + "/api/status", timeout=10).status_code == 200
    assert idle.get(server.url + "/api/status", timeout=10).status_code == 401
    assert close_code(ws, timeout=20) == 4401
    assert 8 <= time.monotonic() - started <= 14
    assert kept.get(server.url + "/api/status", timeout=10).status_code == 401


def test_wrong_passwords_and_tokens_are_throttled_per_account_and_address(server_factory, tmp_path: Path) -> None:
    # a server of its own: it leaves this address blocked for a while
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        add_user(tmp_path / "d", name, role)
    team = server_factory("--no-collector", "--token", "team-ingest-token", data_dir=tmp_path / "d")
    ada = login(team, "ada")
    wrong = {"name": "vera", "password": "not-her-password"}
    codes = [requests.post(team.url + "/login", json=wrong, timeout=10).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    blocked = requests.post(team.url + "/login", json={"name": "vera", "password": PASSWORD}, timeout=10)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1  # even the right password
    assert requests.post(team.url + "/login", json={"name": "otto", "password": PASSWORD}).status_code == 200
    # the address: tokens guessed from one address are refused after 20 failures (5 of them the passwords above)
    statuses = [
        requests.get(team.url + "/api/events", headers={"Authorization": f"Bearer guess-{i}"}).status_code
        for i in range(16)
    ]
    assert statuses == [401] * 15 + [429]
    after = requests.post(team.url + "/api/events", json=NOTE, headers={"Authorization": "Bearer guess-x"})
    assert after.status_code == 429 and after.headers["Retry-After"]
    types = [e["type"] for e in auth_events(team, ada)]
    assert "auth.login_failed" in types and "auth.throttled" in types
    failed = [e for e in auth_events(team, ada) if e["type"] == "auth.login_failed"]
    assert all("not-her-password" not in str(e) for e in failed) and failed[-1]["data"]["user"] == "vera"
