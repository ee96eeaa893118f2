"""Everyone can use the page (issue 15, point 7): axe-core in both themes, the keyboard, a phone, the toasts.

axe-core is the npm package itself (the Makefile's browser-deps fetches it, pinned and checked): it runs
inside the page of the real server and must find no critical and no serious violation, on the dashboard
in the dark and the light theme and on the login page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import console_errors, open_page, rows, wait_badge
from tests.server import wait_until

ROOT = Path(__file__).resolve().parents[2]
AXE = sorted(ROOT.glob(".cache/axe-core-*.min.js"))

EVENTS = [
    {"type": "system.status", "data": {"state": "healthy", "message": "ok"}},
    {
        "type": "ml.training.progress",
        "data": {
            "job": "resnet",
            "model": "resnet50",
            "epoch": 1,
            "epochs": 4,
            "progress": 0.25,
            "loss": 1.2,
            "state": "running",
        },
    },
    {
        "type": "ml.training.progress",
        "data": {
            "job": "bert",
            "model": "bert-base",
            "epoch": 2,
            "epochs": 4,
            "progress": 0.5,
            "loss": 0.8,
            "state": "running",
        },
    },
    {
        "type": "file.upload.progress",
        "data": {"transfer": "t1", "name": "weights.pt", "bytes": 40, "total": 100, "state": "running"},
    },
    {"type": "notification", "data": {"level": "warning", "title": "disk almost full"}},
    {"type": "user.activity", "data": {"user": "ada", "action": "login"}},
]


def axe_violations(dash_br: Any) -> list[str]:
    """Critical and serious axe-core violations of the current page, as "rule: target" lines."""
    if not AXE:
        pytest.fail("axe-core is missing: run `make browser-deps` (it fetches the pinned axe-core into .cache/)")
    driver = dash_br.driver
    driver.execute_script(AXE[-1].read_text())
    driver.set_script_timeout(60)
    found = driver.execute_async_script(
        "const done = arguments[0];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations"
        ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))"
    )
    return list(found)


def theme(dash_br: Any) -> str:
    return str(dash_br.driver.execute_script("return document.documentElement.dataset.bsTheme"))


def prefer(dash_br: Any, scheme: str) -> None:
    """The system's colour scheme, as Chromium's DevTools emulate it."""
    features = [{"name": "prefers-color-scheme", "value": scheme}]
    dash_br.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})


def test_a11y001_axe_finds_nothing_serious_in_either_theme_nor_on_the_login_page(dash_br: Any, server: Any) -> None:
    assert server.post(EVENTS).status_code == 202
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: len(rows(dash_br, "ml-jobs", "job")) == 2 and rows(dash_br, "transfers", "transfer"), 15)
    first = theme(dash_br)
    assert axe_violations(dash_br) == [], f"in the {first} theme"

    toggle = dash_br.find_element("#theme-toggle")
    toggle.click()
    other = "light" if first == "dark" else "dark"
    wait_until(lambda: theme(dash_br) == other, 5, 0.05, "the toggle to switch the theme")
    assert toggle.get_attribute("aria-pressed") == ("true" if other == "light" else "false")
    assert axe_violations(dash_br) == [], f"in the {other} theme"

    dash_br.driver.refresh()  # the choice is remembered, whatever the system prefers
    dash_br.wait_for_element("#status-badge", timeout=20)
    assert theme(dash_br) == other
    wait_until(
        lambda: (
            dash_br.find_element("#theme-toggle").get_attribute("aria-pressed")
            == ("true" if other == "light" else "false")
        ),
        5,
    )
    assert console_errors(dash_br) == []

    dash_br.driver.get(server.url + "/login")
    wait_until(lambda: dash_br.driver.find_elements("css selector", "#login-form"), 10, 0.05, "the login page")
    assert axe_violations(dash_br) == [], "on the login page"


def test_a11y002_keyboard_and_the_system_theme(dash_br: Any, server: Any) -> None:
    assert server.post(EVENTS).status_code == 202
    prefer(dash_br, "dark")
    open_page(dash_br, server.url)
    dash_br.driver.execute_script("localStorage.removeItem('mova-theme')")
    dash_br.driver.refresh()
    dash_br.wait_for_element("#status-badge", timeout=20)
    assert theme(dash_br) == "dark"
    prefer(dash_br, "light")  # followed at once while no choice is stored
    wait_until(lambda: theme(dash_br) == "light", 5, 0.05, "the page to follow the system's light scheme")
    wait_badge(dash_br, "Live")

    active = "return document.activeElement && (document.activeElement.id || document.activeElement.className)"
    bell = dash_br.find_element("#notification-bell")
    dash_br.driver.execute_script("arguments[0].focus()", bell)
    bell.send_keys(Keys.ENTER)
    wait_until(lambda: dash_br.driver.find_elements("css selector", ".notif-popover"), 5, 0.05, "the bell's dropdown")
    wait_until(
        lambda: dash_br.driver.execute_script("return !!document.activeElement.closest('.notif-popover')"),
        5, 0.05, "the focus inside the dropdown",
    )  # fmt: skip
    assert bell.get_attribute("aria-expanded") == "true"
    dash_br.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(lambda: not dash_br.driver.find_elements("css selector", ".notif-popover"), 5, 0.05, "Esc to close it")
    assert dash_br.driver.execute_script(active) == "notification-bell", "the focus goes back to the bell"

    # a dialog: opened with the keyboard, closed with Esc
    dash_br.driver.execute_script("arguments[0].focus()", dash_br.find_element("#export-open"))
    dash_br.driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: dash_br.driver.find_elements("css selector", ".modal.show"), 5, 0.05, "the export dialog")
    dash_br.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(
        lambda: not dash_br.driver.find_elements("css selector", ".modal.show"), 5, 0.05, "Esc to close the dialog"
    )

    # a job row is a control: reached by Tab (tabindex 0), chosen with Enter
    wait_until(lambda: len(rows(dash_br, "ml-jobs", "job")) == 2, 10)
    row = dash_br.find_element("#ml-jobs [data-job='resnet']")
    assert row.get_attribute("tabindex") == "0" and row.get_attribute("role") == "button"
    dash_br.driver.execute_script("arguments[0].focus()", row)
    dash_br.driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(
        lambda: (
            rows(dash_br, "ml-jobs", "job")["resnet"]["text"]
            and dash_br.find_element("#ml-jobs [data-job='resnet']").get_attribute("aria-pressed") == "true"
        ),
        10,
        0.05,
        "Enter to select the job",
    )
    assert dash_br.driver.execute_script("return document.activeElement.dataset.job") == "resnet", (
        "the focus stays on the row"
    )
    assert console_errors(dash_br) == []


def test_a11y003_on_a_phone_the_feed_and_bell_are_on_the_first_screen_and_toasts_cover_no_control(
    dash_br: Any, server: Any
) -> None:
    assert server.post(EVENTS).status_code == 202
    open_page(dash_br, server.url)
    dash_br.driver.set_window_size(390, 844)
    wait_badge(dash_br, "Live")
    width, height = dash_br.driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert width <= 400, f"the window is {width} px wide, not a phone's"
    rect = "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]"
    for selector in ("#notification-bell", "#theme-toggle", "#status-pill"):
        left, top, right, bottom = dash_br.driver.execute_script(rect, selector)
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, f"{selector} is off the first screen"
    feed_top = dash_br.driver.execute_script(rect, "#activity-feed")[1]
    assert feed_top < height * 0.6, f"the feed starts at {feed_top} px of a {height} px screen"
    assert axe_violations(dash_br) == [], "at phone size"

    errors = [{"type": "notification", "data": {"level": "error", "title": f"job {i} failed"}} for i in range(5)]
    infos = [{"type": "notification", "data": {"level": "info", "title": f"note {i}"}} for i in range(4)]
    assert server.post(errors + infos).status_code == 202
    toasts = "return Array.from(document.querySelectorAll('#toasts .toast.show')).map(t => t.textContent)"
    wait_until(lambda: any("job 4 failed" in t for t in dash_br.driver.execute_script(toasts)), 10, 0.05, "the toasts")
    shown = dash_br.driver.execute_script(toasts)
    assert len(shown) <= 3, shown
    assert sum("failed" in t for t in shown) == 1, f"the errors are one toast: {shown}"
    assert "5" in dash_br.find_element("#toasts .toast-count").text
    stack = dash_br.driver.execute_script(rect, "#toasts")
    for selector in ("#notification-bell", "#feed-older", "#feed-export", "#feed-search"):
        left, top, right, bottom = dash_br.driver.execute_script(rect, selector)
        apart = right <= stack[0] or left >= stack[2] or bottom <= stack[1] or top >= stack[3]
        assert apart, f"the toasts cover {selector}"
    assert console_errors(dash_br) == []
