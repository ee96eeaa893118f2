"""The live path in the browser: badge states, resuming after a server restart, polling when /ws is refused."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import (
    EXPECTED_NETWORK_ERRORS,
    console_errors,
    feed_seqs,
    open_page,
    text_of,
    wait_badge,
)
from tests.server import wait_until


def user_event(i: int) -> dict[str, Any]:
    return {"type": "user.activity", "data": {"user": f"user{i}", "action": "login"}}


def test_badge001_goes_live(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post({"type": "system.status", "data": {"state": "degraded", "message": "disk 91 %"}})
    wait_until(lambda: text_of(dash_br, "health-badge") == "degraded", 10, 0.05, "health to show degraded")
    assert "health-degraded" in dash_br.find_element("#health-pill").get_attribute("class")
    assert "state-live" in dash_br.find_element("#status-pill").get_attribute("class")
    assert console_errors(dash_br) == []


def test_live001_restart_comes_back_live_with_missed_events_once(dash_br: Any, server: Any) -> None:
    server.post({"type": "system.status", "data": {"state": "healthy", "message": "all good"}})
    before = server.post([user_event(i) for i in range(3)]).json()
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: set(range(before["first_seq"], before["last_seq"] + 1)) <= set(feed_seqs(dash_br)), 10)
    assert text_of(dash_br, "health-badge") == "healthy"

    server.stop()
    wait_badge(dash_br, "Reconnecting", "Offline")
    # the last report is not shown as the server's health while the server cannot be reached
    wait_until(lambda: text_of(dash_br, "health-badge") == "unknown", 20, 0.05, "health to say unknown")
    assert "health-unknown" in dash_br.find_element("#health-pill").get_attribute("class")
    server.start()
    missed = server.post([user_event(i) for i in range(10, 15)]).json()
    wanted = set(range(missed["first_seq"], missed["last_seq"] + 1))

    wait_badge(dash_br, "Live", timeout=45)
    wait_until(lambda: text_of(dash_br, "health-badge") == "healthy", 10, 0.05, "health back once the server answers")
    wait_until(lambda: wanted <= set(feed_seqs(dash_br)), 15, 0.05, "the events posted while the page was away")
    live = server.post(user_event(99)).json()
    wait_until(lambda: live["last_seq"] in feed_seqs(dash_br), 10, 0.05, "a live event after the restart")
    seqs = feed_seqs(dash_br)
    assert len(seqs) == len(set(seqs)), f"an event shows twice: {seqs}"
    assert seqs == sorted(seqs, reverse=True)
    assert console_errors(dash_br, EXPECTED_NETWORK_ERRORS) == []


def test_live002_polls_when_the_socket_is_refused(dash_br: Any, server: Any, ws_refusing_proxy: str) -> None:
    open_page(dash_br, ws_refusing_proxy)
    wait_badge(dash_br, "Polling", timeout=20)
    posted = server.post([user_event(i) for i in range(3)]).json()
    wanted = set(range(posted["first_seq"], posted["last_seq"] + 1))
    wait_until(lambda: wanted <= set(feed_seqs(dash_br)), 15, 0.05, "polled events in the feed")
    assert text_of(dash_br, "status-badge") == "Polling"
    seqs = feed_seqs(dash_br)
    assert len(seqs) == len(set(seqs))
    # the only console errors are the refused socket handshakes
    assert console_errors(dash_br, ("WebSocket connection to",)) == []


def test_live003_a_burst_of_frames_shows_every_event_once(dash_br: Any, server: Any) -> None:
    """Frames close together can overwrite each other in the component (NOTES.md); the n-jump backfill covers it."""
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    seqs = [server.post(user_event(i)).json()["last_seq"] for i in range(40)]
    wait_until(lambda: set(seqs) <= set(feed_seqs(dash_br)), 15, 0.05, "all 40 events in the feed")
    shown = feed_seqs(dash_br)
    assert len(shown) == len(set(shown)), "an event shows twice"
    snapshot = dash_br.driver.execute_script("return window.movaLive.snapshot()")
    assert snapshot["lastSeq"] == seqs[-1]
    print("frames lost and backfilled:", snapshot["lostFrames"])
    assert console_errors(dash_br) == []


def test_live004_pings_keep_an_idle_socket_open(dash_br: Any, server_factory: Any) -> None:
    """With a 1 s heartbeat the server drops sockets silent for 2 s: the page's pings keep its one socket."""
    server = server_factory("--no-collector", "--heartbeat-s", "1")
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    snapshot = "return window.movaLive.snapshot()"
    wait_until(lambda: dash_br.driver.execute_script(snapshot)["pings"] >= 4, 15, 0.1, "four pings")
    state = dash_br.driver.execute_script(snapshot)
    assert state["connects"] == 1, "the socket was dropped and reopened although the page pinged"
    assert state["socketLive"] and text_of(dash_br, "status-badge") == "Live"
    assert console_errors(dash_br) == []
