"""Stable rows and stale states (issue 15, points 4 and 6), in the browser against the real server.

Job, transfer and presence rows are keyed by identity and updated in place: while progress streams,
each row stays the same DOM node in the same place, a selected job stays selected and the loss chart
keeps showing it. A running job or transfer without news past --stalled-after-s shows as stalled and
is not counted as active: from the server's snapshot at boot, and in the page's own folding later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import console_errors, figure_data, open_page, rows, text_of, wait_badge
from tests.server import wait_until

STALLED_AFTER_S = 4
LISTS = ("#ml-jobs [data-job]", "#transfers [data-transfer]", "#presence [data-user]")
LOSS = {"a": 1.0, "b": 2.0, "c": 3.0}  # each job's losses lie in [base, base + 1): the chart says whose it is


def job(name: str, progress: float) -> dict[str, Any]:
    data = {"job": name, "state": "running", "progress": progress, "loss": LOSS.get(name, 5.0) + 0.5 * (1 - progress)}
    return {"type": "ml.training.progress", "data": data}


def transfer(name: str, done: int, time: datetime | None = None) -> dict[str, Any]:
    event = {
        "type": "file.upload.progress",
        "data": {"transfer": name, "name": f"{name}.bin", "bytes": done, "total": 100, "state": "running"},
    }
    if time is not None:
        event["time"] = time.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return event


def test_rows101_rows_stay_put_and_selection_holds_while_progress_streams(dash_br: Any, server_factory: Any) -> None:
    server = server_factory("--no-collector", "--stalled-after-s", str(STALLED_AFTER_S))
    quiet = datetime.now(UTC) - timedelta(seconds=30)
    server.post(transfer("old", 10, quiet))
    server.post([{"type": "user.presence", "data": {"user": u, "state": "online"}} for u in ("ana", "bob")])
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post([job(n, 0.01) for n in "abcd"] + [transfer("new", 5)])
    wait_until(lambda: len(rows(dash_br, "ml-jobs", "job")) == 4, 10, 0.05, "four job rows")

    # stale from the server's snapshot: not counted as active
    wait_until(lambda: len(rows(dash_br, "transfers", "transfer")) == 2, 10, 0.05, "two transfer rows")
    assert rows(dash_br, "transfers", "transfer")["old"]["state"] == "stalled"
    assert text_of(dash_br, "transfers-count") == "1 active · 1 stalled"

    dash_br.driver.execute_script(
        "window.__rows = {}; for (const s of arguments[0]) window.__rows[s] = Array.from(document.querySelectorAll(s));",
        list(LISTS),
    )
    row_b = dash_br.driver.find_element("css selector", "#ml-jobs [data-job='b']")
    dash_br.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", row_b)
    row_b.click()  # a real click: the pointer stays over the list while the reports stream
    same_nodes = (
        "return arguments[0].every(s => { const now = Array.from(document.querySelectorAll(s));"
        " return now.length === window.__rows[s].length && now.every((n, i) => n === window.__rows[s][i]); })"
    )
    for step in range(1, 13):
        progress = round(0.05 * step, 2)
        server.post([job(n, progress) for n in "abc"] + [transfer("new", 5 + step)])
        server.post({"type": "user.activity", "data": {"user": "ana", "action": "opened", "target": f"run {step}"}})
        wait_until(
            lambda p=progress: rows(dash_br, "ml-jobs", "job")["c"]["progress"] == str(p), 10, 0.02, "the report"
        )
        assert dash_br.driver.execute_script(same_nodes, list(LISTS)), "a row was rebuilt or moved"
        selected = dash_br.driver.execute_script(
            "return Array.from(document.querySelectorAll('#ml-jobs .is-selected')).map(e => e.dataset.job)"
        )
        assert selected == ["b"] and text_of(dash_br, "ml-loss-title") == "Loss · b"
        shown = [v for v in (figure_data(dash_br, "ml-loss") or [{"y": []}])[0]["y"] if v is not None]
        assert all(2.0 <= v < 3.0 for v in shown), f"the loss chart shows another job: {shown}"
    wait_until(lambda: len(figure_data(dash_br, "ml-loss")[0]["y"]) >= 12, 10, 0.05, "b's losses, live")

    # stale in the page's own folding: d has not reported since the start
    wait_until(lambda: rows(dash_br, "ml-jobs", "job")["d"]["state"] == "stalled", 15, 0.1, "d stalled")
    assert text_of(dash_br, "ml-jobs-count") == "3 running · 1 stalled · 4 jobs"
    assert "no report for" in rows(dash_br, "ml-jobs", "job")["d"]["text"]
    assert console_errors(dash_br) == []
