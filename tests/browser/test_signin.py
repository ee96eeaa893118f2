"""Sign-in in headless Chromium against the real server: the login page, the live page, signing out, expiry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.access import add_user, create_token, login
from tests.browser.conftest import EXPECTED_NETWORK_ERRORS, console_errors, feed_seqs, text_of, wait_badge
from tests.server import ServerProcess, wait_until

NOTE = {"type": "notification", "data": {"level": "warning", "title": "disk almost full"}}


def sign_in(dash_br: Any, server: ServerProcess, name: str, password: str = "correct-horse-battery") -> None:
    """From wherever the page is: fill the login form and wait for the dashboard to be Live."""
    driver = dash_br.driver
    wait_until(lambda: driver.find_elements("css selector", "#login-form"), 20, 0.05, "the login page")
    driver.find_element("css selector", "#login-name").send_keys(name)
    driver.find_element("css selector", "#login-password").send_keys(password)
    driver.find_element("css selector", "#login-submit").click()
    dash_br.wait_for_element("#status-badge", timeout=20)
    wait_badge(dash_br, "Live")


def on_login_page(dash_br: Any) -> bool:
    return "/login" in dash_br.driver.current_url and bool(dash_br.driver.find_elements("css selector", "#login-form"))


def open_sockets(server: ServerProcess, token: str) -> int:
    return int(requests.get(server.url + "/api/status", headers={"Authorization": f"Bearer {token}"}).json()["clients"])


def test_signin001_sign_in_live_sign_out_socket_closed_on_login(dash_br: Any, server_factory, tmp_path: Path) -> None:
    add_user(tmp_path / "d", "ada", "admin")
    watcher = create_token(tmp_path / "d", "watcher", "read")
    server = server_factory("--no-collector", data_dir=tmp_path / "d")
    dash_br.driver.set_window_size(1280, 900)
    dash_br.driver.get(server.url + "/")
    assert on_login_page(dash_br) and "next=%2F" in dash_br.driver.current_url  # nothing shown before sign-in
    sign_in(dash_br, server, "ada")
    assert dash_br.driver.current_url.rstrip("/") == server.url
    seq = server.post(NOTE).json()["last_seq"]
    wait_until(lambda: seq in feed_seqs(dash_br), 10, 0.05, "a live event in the feed")
    assert open_sockets(server, watcher) == 1
    dash_br.driver.find_element("css selector", "#account-link").click()
    wait_until(lambda: dash_br.driver.find_elements("css selector", "#logout-submit"), 10)
    dash_br.driver.find_element("css selector", "#logout-submit").click()
    wait_until(lambda: on_login_page(dash_br), 10, 0.05, "the login page after signing out")
    wait_until(lambda: open_sockets(server, watcher) == 0, 10, 0.1, "the page's socket to be closed")
    dash_br.driver.get(server.url + "/")
    assert on_login_page(dash_br)  # the old cookie opens nothing
    assert console_errors(dash_br, EXPECTED_NETWORK_ERRORS) == []


def test_signin002_ended_session_goes_to_login_and_comes_back(dash_br: Any, server_factory, tmp_path: Path) -> None:
    """Signed out everywhere from elsewhere, then expired: each time the socket is closed (4401) and the page
    goes to the login page by itself, and after signing in it is back, live, with what it had."""
    add_user(tmp_path / "d", "vera", "viewer")
    server = server_factory("--no-collector", "--session-max-hours", "0.004", data_dir=tmp_path / "d")  # 14.4 s
    before = server.post([NOTE, NOTE]).json()["last_seq"]
    dash_br.driver.set_window_size(1280, 900)
    dash_br.driver.get(server.url + "/?view=ops")
    sign_in(dash_br, server, "vera")
    wait_until(lambda: before in feed_seqs(dash_br), 10)
    elsewhere = login(server, "vera")
    assert elsewhere.post(server.url + "/logout", json={"everywhere": True}).status_code == 200
    wait_until(lambda: on_login_page(dash_br), 10, 0.05, "the page to go to the login page (4401)")
    assert "next=%2F%3Fview%3Dops" in dash_br.driver.current_url
    sign_in(dash_br, server, "vera")
    assert dash_br.driver.current_url == server.url + "/?view=ops"  # back where it was
    during = server.post(NOTE).json()["last_seq"]
    wait_until(lambda: {before, during} <= set(feed_seqs(dash_br)), 10, 0.05, "old and new events")
    # the absolute lifetime ends this sign-in too: the page leaves by itself
    wait_until(lambda: on_login_page(dash_br), 25, 0.2, "the page to go to the login page when the session expired")
    assert text_of(dash_br, "status-badge") == ""

    # the alerts card's 5 s server callback may meet the expiry before the socket's 4401 does (a 401, on which
    # the page leaves too); the client itself no longer polls after a 4401 (no 401 on /api/events)
    # the alerts card's 5 s server callback may meet the expiry before the socket's 4401 does: a 401 on
    # Dash's callback route (and dash-renderer's word for it), on which the page leaves too. The client
    # itself no longer polls after a 4401: a 401 on /api/ still fails the test.
    def expired_callback(message: str) -> bool:
        return "401" in message and ("_dash-update-component" in message or "dash_renderer" in message)

    errors = console_errors(dash_br, EXPECTED_NETWORK_ERRORS)
    assert [e for e in errors if not expired_callback(e["message"])] == []


def test_signin003_only_an_operator_clears_notifications_for_everyone(
    dash_br: Any, server_factory, tmp_path: Path
) -> None:
    add_user(tmp_path / "d", "vera", "viewer")
    add_user(tmp_path / "d", "otto", "operator")
    server = server_factory("--no-collector", data_dir=tmp_path / "d")
    last = server.post([NOTE, NOTE, NOTE]).json()["last_seq"]
    otto = login(server, "otto")

    def clear_in_the_bell() -> None:
        wait_until(lambda: text_of(dash_br, "notification-count") == "3", 10, 0.05, "three unread")
        dash_br.driver.find_element("css selector", "#notification-bell").click()
        dash_br.wait_for_element("#notification-clear", timeout=10).click()
        wait_until(lambda: text_of(dash_br, "notification-count") == "0", 10, 0.05, "the bell to clear")

    dash_br.driver.set_window_size(1280, 900)
    dash_br.driver.get(server.url + "/")
    sign_in(dash_br, server, "vera")
    clear_in_the_bell()  # the viewer's own page clears ...
    marks = otto.get(server.url + "/api/notifications/state").json()
    assert marks["cleared_upto"] == 0  # ... but nobody else's
    dash_br.driver.execute_script("window.localStorage.clear()")
    dash_br.driver.get(server.url + "/logout")
    dash_br.driver.find_element("css selector", "#logout-submit").click()
    sign_in(dash_br, server, "otto")
    clear_in_the_bell()
    wait_until(
        lambda: otto.get(server.url + "/api/notifications/state").json()["cleared_upto"] == last,
        10,
        0.1,
        "the operator's clear to reach the server",
    )
    assert console_errors(dash_br, EXPECTED_NETWORK_ERRORS) == []
