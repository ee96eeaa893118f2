"""Issue 4 export in the browser: the metrics export dialog and the feed's "export what I see".

Headless Chromium downloads into ``dash_br.download_path`` (dash.testing sets it
with CDP Page.setDownloadBehavior); the file is read back with pandas.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from tests.browser.conftest import console_errors, feed_seqs, open_page, wait_badge
from tests.server import wait_until


def downloaded(directory: str, suffix: str, seen: set[str]) -> Path | None:
    """A finished download with this suffix that was not there before (Chromium writes .crdownload first)."""
    for path in Path(directory).iterdir():
        if path.name not in seen and path.name.endswith(suffix) and path.stat().st_size > 0:
            return path
    return None


def test_export001_metrics_dialog_and_feed_export_download_what_is_shown(dash_br: Any, server: Any) -> None:
    now = datetime.now(UTC)
    samples = [
        {
            "type": "system.metrics",
            "time": (now - timedelta(seconds=100 - 10 * i)).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "data": {"cpu.percent": 10.0 + i, "memory.percent": 50.0},
        }
        for i in range(5)
    ]
    server.post(samples)
    server.post(
        [
            {"type": "user.activity", "data": {"user": "ana", "action": "opened", "target": "gpu-report"}},
            {"type": "user.activity", "data": {"user": "li", "action": "opened", "target": "cpu-report"}},
            {"type": "plugin.status", "data": {"plugin": "gpu-watch", "state": "active"}},
        ]
    )
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: len(feed_seqs(dash_br)) == 3, 10, 0.05, "the feed")
    folder = dash_br.download_path
    # dash.testing sets this when the browser starts; set it again for this page's target (idempotent)
    dash_br.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
    seen = {p.name for p in Path(folder).iterdir()}

    # the dialog opens on what the charts show: their series, their range
    dash_br.find_element("#export-open").click()
    dash_br.wait_for_element("#export-modal .modal-content", timeout=10)
    chosen = "return Array.from(document.querySelectorAll('#export-series .dash-dropdown-value-item, #export-series [class*=\"value\"]')).map(e => e.textContent).join(' ')"
    wait_until(
        lambda: "cpu.percent" in (dash_br.driver.execute_script(chosen) or ""), 10, 0.05, "charted series chosen"
    )
    dash_br.driver.find_element(
        "xpath", "//*[@id='export-layout']//label[starts-with(normalize-space(), 'Wide')]"
    ).click()
    href = "return document.getElementById('export-download').getAttribute('href') || ''"
    wait_until(lambda: "layout=wide" in dash_br.driver.execute_script(href), 10, 0.05, "the wide link")
    # the charts' window when the dialog opened (live: the last 5 minutes), as absolute times
    query = parse_qs(urlsplit(dash_br.driver.execute_script(href)).query)
    since, until = (datetime.fromisoformat(query[k][0].replace("Z", "+00:00")) for k in ("since", "until"))
    assert abs((until - since).total_seconds() - 300) < 1 and abs((until - datetime.now(UTC)).total_seconds()) < 30
    dash_br.find_element("#export-download").click()
    path = wait_until(lambda: downloaded(folder, ".csv", seen), 20, 0.1, "the metrics CSV download")
    seen.add(path.name)
    table = pd.read_csv(path)
    assert {"time", "cpu.percent", "memory.percent"} <= set(table.columns)
    assert sorted(table["cpu.percent"].dropna()) == [10.0, 11.0, 12.0, 13.0, 14.0], "one row per sample (1 s step)"
    dash_br.driver.find_element("css selector", "#export-modal .btn-close").click()
    wait_until(lambda: not dash_br.driver.find_elements("css selector", "#export-modal .modal-content"), 10, 0.05)

    # the feed: user rows only (plugin unticked) and the search "gpu": one row, exported as seen
    dash_br.driver.find_element("xpath", "//*[@id='feed-filter']//span[contains(@class,'chip')][span='plugin']").click()
    dash_br.find_element("#feed-search").send_keys("gpu")
    wait_until(lambda: len(feed_seqs(dash_br)) == 1, 10, 0.05, "one row shown")
    link = "return document.getElementById('feed-export').getAttribute('href') || ''"
    wait_until(lambda: "q=gpu" in dash_br.driver.execute_script(link), 10, 0.05, "the search in the export link")
    assert "type=plugin" not in dash_br.driver.execute_script(link)
    dash_br.find_element("#feed-export").click()
    path = wait_until(lambda: downloaded(folder, ".csv", seen), 20, 0.1, "the events CSV download")
    events = pd.read_csv(path)
    assert list(events["type"]) == ["user.activity"]
    assert json.loads(events["data"][0])["target"] == "gpu-report"
    assert console_errors(dash_br) == []
