"""The server's reset and health frames: a wiped store reloads the page's state; a full store degrades health.

A page sends the epoch it loaded with (``/ws?epoch=``); when the server's store
is not that one any more it answers ``reset`` and the page loads its state from
REST again instead of waiting for seqs that will never come. When the store
cannot write, the server pushes ``health`` frames: the badge shows degraded and
recovers.
"""

from __future__ import annotations

import shutil
from typing import Any

from tests.browser.conftest import EXPECTED_NETWORK_ERRORS, console_errors, open_page, rows, text_of, wait_badge
from tests.server import wait_until


def activity(user: str) -> dict[str, Any]:
    return {"type": "user.activity", "data": {"user": user, "action": "login"}}


def test_reset001_wiped_store_reloads_state_and_shows_only_new_events(dash_br: Any, server: Any) -> None:
    server.post(
        [activity(f"old{i}") for i in range(5)]
        + [{"type": "plugin.status", "data": {"plugin": "stale", "state": "active"}}]
    )
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: "old4" in text_of(dash_br, "activity-feed"), 10, 0.05, "the old events")
    wait_until(lambda: "stale" in rows(dash_br, "plugins", "plugin"), 10, 0.05, "the old plugin")
    epoch = dash_br.driver.execute_script("return window.movaLive.state.epoch")

    server.stop()
    wait_badge(dash_br, "Reconnecting", "Offline")
    shutil.rmtree(server.data_dir)
    server.start()
    server.post([activity("new1"), {"type": "plugin.status", "data": {"plugin": "fresh", "state": "active"}}])

    wait_until(lambda: "new1" in text_of(dash_br, "activity-feed"), 45, 0.1, "the event posted after the restart")
    wait_badge(dash_br, "Live", timeout=20)
    assert dash_br.driver.execute_script("return window.movaLive.state.epoch") != epoch
    assert "old" not in text_of(dash_br, "activity-feed"), "stale events from the wiped store still show"
    assert set(rows(dash_br, "plugins", "plugin")) == {"fresh"}
    live = server.post(activity("new2")).json()
    wait_until(lambda: "new2" in text_of(dash_br, "activity-feed"), 10, 0.05, "live after the reset")
    assert dash_br.driver.execute_script("return window.movaLive.snapshot().lastSeq") == live["last_seq"]
    assert console_errors(dash_br, EXPECTED_NETWORK_ERRORS) == []


def test_health001_full_store_pushes_degraded_then_recovers(dash_br: Any, server_factory: Any) -> None:
    server = server_factory("--no-collector", "--max-db-mb", "1", "--retention-events", "3")
    server.post({"type": "system.status", "data": {"state": "healthy"}})
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: text_of(dash_br, "health-badge") == "healthy", 10, 0.05, "healthy")

    blob = {"type": "x.blob", "data": {"blob": "z" * 60_000}}
    shown = "return window.movaLive.state.healthShown || []"
    # the spell can be short (retention runs at once after a failed write): the page keeps a trace of what it showed
    codes = []
    for _ in range(40):
        codes.append(server.post(blob).status_code)
        if codes[-1] == 503:
            break
    assert codes[-1] == 503, "a 1 MiB store must fill up"
    wait_until(lambda: "degraded" in dash_br.driver.execute_script(shown), 10, 0.05, "degraded")
    assert "degraded" in dash_br.driver.execute_script(shown), "the badge said degraded while the store was full"
    # retention makes room, the store writes again, and the server says so
    wait_until(
        lambda: server.post({"type": "notification", "data": {"level": "info", "title": "ok"}}).status_code == 202, 10
    )
    wait_until(lambda: text_of(dash_br, "health-badge") == "healthy", 10, 0.05, "the badge to recover")
    assert console_errors(dash_br) == []
