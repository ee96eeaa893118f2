"""The notification centre: bell count, toasts, list actions, and read state surviving a reload."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import console_errors, open_page, text_of, wait_badge
from tests.server import wait_until


def list_titles(dash_br: Any) -> list[str]:
    script = "return Array.from(document.querySelectorAll('#notification-list .notif-title')).map(e => e.textContent)"
    return list(dash_br.driver.execute_script(script))


def toast_titles(dash_br: Any) -> list[str]:
    script = "return Array.from(document.querySelectorAll('#toasts .toast.show .toast-title')).map(e => e.textContent)"
    return list(dash_br.driver.execute_script(script))


def test_notif001_bell_count_and_toast(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    assert text_of(dash_br, "notification-count") == "0"

    server.post({"type": "notification", "data": {"level": "success", "title": "Backup done", "message": "42 GB"}})
    wait_until(lambda: text_of(dash_br, "notification-count") == "1", 10, 0.05, "the bell to count 1")
    wait_until(lambda: "Backup done" in toast_titles(dash_br), 10, 0.05, "a toast")
    # an info toast hides itself after 5 s; a critical alert stays until dismissed
    server.post({"type": "alert", "data": {"severity": "critical", "title": "Node down", "message": "node-3"}})
    wait_until(lambda: text_of(dash_br, "notification-count") == "2", 10, 0.05, "the bell to count 2")
    wait_until(lambda: "Backup done" not in toast_titles(dash_br), 10, 0.1, "the success toast to hide itself")
    assert "Node down" in toast_titles(dash_br)
    assert console_errors(dash_br) == []


def test_notif002_list_actions_and_read_state_survive_reload(dash_br: Any, server: Any) -> None:
    server.post([{"type": "notification", "data": {"level": "info", "title": f"n{i}"}} for i in range(12)])
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    # at most 10 kept by default, newest first; history counts as unread until marked
    wait_until(lambda: text_of(dash_br, "notification-count") == "10", 10, 0.05, "10 unread")
    dash_br.find_element("#notification-bell").click()
    wait_until(lambda: list_titles(dash_br)[:2] == ["n11", "n10"], 10, 0.05, "the list, newest first")
    assert len(list_titles(dash_br)) == 10

    dash_br.find_element("#notification-mark-read").click()
    wait_until(lambda: text_of(dash_br, "notification-count") == "0", 10, 0.05, "all read")
    dash_br.find_element("#notification-list .notif-item[data-seq='12'] .notif-remove").click()
    wait_until(lambda: "n11" not in list_titles(dash_br), 10, 0.05, "n11 removed")

    dash_br.driver.refresh()
    wait_badge(dash_br, "Live")
    server.post({"type": "notification", "data": {"level": "warning", "title": "after reload"}})
    wait_until(lambda: text_of(dash_br, "notification-count") == "1", 10, 0.05, "only the new one unread after reload")
    dash_br.find_element("#notification-bell").click()
    wait_until(lambda: list_titles(dash_br)[:1] == ["after reload"], 10, 0.05, "the new one on top")
    assert "n11" not in list_titles(dash_br), "a removed notification came back after a reload"

    dash_br.find_element("#notification-clear").click()
    wait_until(lambda: list_titles(dash_br) == [], 10, 0.05, "an empty list")
    assert text_of(dash_br, "notification-count") == "0"
    assert console_errors(dash_br) == []


def test_notif003_outside_click_closes_the_dropdown(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    dash_br.find_element("#notification-bell").click()
    dash_br.wait_for_element(".notif-popover")
    dash_br.find_element(".section-title").click()
    wait_until(
        lambda: not dash_br.driver.find_elements("css selector", ".notif-popover"), 10, 0.05, "the dropdown to close"
    )
    assert console_errors(dash_br) == []
