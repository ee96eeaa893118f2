"""Issue 7 point 10: markup in event strings is shown as text in every panel, never run or rendered.

One event per panel carries an HTML payload (a tag, an <img onerror>, a
<script>) in every string field the panel shows: the literal text must be
there, no element may be injected, no handler may run, no alert may open.
"""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import NoAlertPresentException

from tests.browser.conftest import console_errors, open_page, text_of, wait_badge
from tests.server import wait_until

P = '<b>bold</b><img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
LITERAL = '<img src=x onerror="window.__xss=1;alert(1)">'

EVENTS: list[dict[str, Any]] = [
    {"type": "system.status", "data": {"state": "degraded", "message": P, "components": {P: "down"}}},
    {"type": "notification", "data": {"level": "error", "title": P, "message": P}},
    {"type": "alert", "data": {"severity": "critical", "title": P, "message": P}},
    {"type": "ml.training.progress", "data": {"job": P, "progress": 0.5, "state": "running", "model": P, "loss": 1.0}},
    {"type": "ml.model.update", "data": {"model": P, "version": P, "stage": P}},
    {"type": "ml.prediction.result", "data": {"model": P, "latency_ms": 5.0, "label": P}},
    {"type": "file.upload.progress", "data": {"transfer": P, "name": P, "bytes": 1, "total": 2, "state": "running"}},
    {"type": "user.presence", "data": {"user": P, "state": "online"}},
    {"type": "user.activity", "data": {"user": P, "action": P, "target": P}},
    {"type": "plugin.status", "data": {"plugin": P, "state": "error", "message": P}},
    {"type": "plugin.update", "data": {"plugin": P, "version": P, "message": P}},
    {"type": "x.custom", "data": {"title": P, "anything": P}},
]

PANELS = (
    "activity-feed",
    "toasts",
    "ml-jobs",
    "ml-models",
    "ml-predictions",
    "ml-loss-title",
    "transfers",
    "presence",
    "plugins",
)
INJECTED = "return document.querySelectorAll(arguments[0]).length"


def injected(dash_br: Any, container: str) -> int:
    selector = f"#{container} b, #{container} img, #{container} script"
    return int(dash_br.driver.execute_script(INJECTED, selector))


def test_xss001_html_in_events_is_text_in_every_panel(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post(EVENTS)
    for panel in PANELS:
        wait_until(lambda p=panel: LITERAL in text_of(dash_br, p), 10, 0.05, f"the payload as text in #{panel}")
        assert injected(dash_br, panel) == 0, f"markup from an event became elements in #{panel}"

    dash_br.find_element("#notification-bell").click()
    wait_until(lambda: LITERAL in text_of(dash_br, "notification-list"), 10, 0.05, "the payload in the list")
    assert injected(dash_br, "notification-list") == 0
    dash_br.find_element("#notification-bell").click()
    wait_until(lambda: text_of(dash_br, "health-badge") == "degraded", 10, 0.05, "health degraded")
    dash_br.find_element("#health-pill").click()
    wait_until(lambda: LITERAL in text_of(dash_br, "health-popover-body"), 10, 0.05, "the payload in the popover")
    assert injected(dash_br, "health-popover-body") == 0

    assert dash_br.driver.execute_script("return window.__xss === undefined")
    assert dash_br.driver.execute_script("return document.querySelectorAll('[onerror]').length") == 0
    try:
        alert = dash_br.driver.switch_to.alert
        text = alert.text
        alert.dismiss()
        raise AssertionError(f"an alert opened: {text!r}")
    except NoAlertPresentException:
        pass
    assert console_errors(dash_br) == []
