"""The activity feed: rows for every category, filter, search, and pages of older events."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

from tests.browser.conftest import console_errors, feed_categories, feed_seqs, open_page, text_of, wait_badge
from tests.server import wait_until

EVENTS = [
    {
        "type": "ml.training.progress",
        "data": {"job": "bert", "progress": 0.5, "state": "running", "epoch": 2, "epochs": 4},
    },
    {"type": "file.operation", "data": {"op": "upload", "path": "/data/a.csv", "status": "ok", "user": "ana"}},
    {"type": "user.activity", "data": {"user": "li", "action": "exported", "target": "report.pdf"}},
    {"type": "plugin.status", "data": {"plugin": "s3-sync", "state": "active"}},
    {"type": "deploy.finished", "data": {"title": "Deployed api v2", "env": "prod"}},
    {"type": "notification", "data": {"level": "info", "title": "<b>not bold</b>"}},
]


def chip(dash_br: Any, category: str) -> Any:
    return dash_br.driver.find_element(
        By.XPATH, f"//*[@id='feed-filter']//span[contains(@class,'chip')][span='{category}']"
    )


def test_feed001_categories_appear_and_filter_hides_and_shows(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post(EVENTS)
    wanted = {"ml", "file", "user", "plugin", "deploy", "notification"}
    wait_until(lambda: set(feed_categories(dash_br)) == wanted, 10, 0.05, "one row per category")
    seqs = feed_seqs(dash_br)
    assert seqs == sorted(seqs, reverse=True), "newest first"
    # event text is text: the markup shows literally and makes no element
    assert dash_br.driver.find_elements(By.CSS_SELECTOR, "#activity-feed b") == []
    assert "<b>not bold</b>" in text_of(dash_br, "activity-feed")
    assert "li exported report.pdf" in text_of(dash_br, "activity-feed")

    chip(dash_br, "ml").click()
    wait_until(lambda: "ml" not in feed_categories(dash_br), 10, 0.05, "ml rows hidden")
    assert set(feed_categories(dash_br)) == wanted - {"ml"}
    chip(dash_br, "deploy").click()  # a category first seen live gets its own chip
    wait_until(lambda: set(feed_categories(dash_br)) == wanted - {"ml", "deploy"}, 10, 0.05, "deploy hidden")
    chip(dash_br, "ml").click()
    wait_until(lambda: "ml" in feed_categories(dash_br), 10, 0.05, "ml rows back")

    dash_br.find_element("#feed-search").send_keys("s3-sync")
    wait_until(lambda: feed_categories(dash_br) == ["plugin"], 10, 0.05, "search narrows to the plugin row")
    assert console_errors(dash_br) == []


def test_feed002_load_older_pages_back(dash_br: Any, server: Any) -> None:
    server.post([{"type": "user.activity", "data": {"user": f"u{i}", "action": "login"}} for i in range(70)])
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: len(feed_seqs(dash_br)) == 50, 10, 0.05, "the newest 50")
    assert min(feed_seqs(dash_br)) == 21
    dash_br.find_element("#feed-older").click()
    wait_until(lambda: len(feed_seqs(dash_br)) == 70, 10, 0.05, "the older 20 too")
    assert feed_seqs(dash_br) == list(range(70, 0, -1))
    assert console_errors(dash_br) == []
