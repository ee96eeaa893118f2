"""The alerts card in headless Chromium against the real server: state, acknowledge, silence, the rule's chart
with its threshold lines and history, and the rule form's live preview and save."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import console_errors, open_page, rows, text_of
from tests.integration.alerting import FAST, metric, put_rule, wait_state
from tests.server import wait_until


def click(dash_br: Any, selector: str) -> None:
    """Click what the selector finds, again if the list was redrawn under it (it refreshes on its own)."""

    def attempt() -> bool:
        found = dash_br.driver.find_elements(By.CSS_SELECTOR, selector)
        if not found:
            return False
        try:
            dash_br.driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", found[0]
            )
        except StaleElementReferenceException:  # redrawn between finding and clicking: find it again
            return False
        return True

    wait_until(attempt, timeout=15, message=f"{selector} to click")


def levels(dash_br: Any, graph_id: str) -> list[float]:
    script = (
        "const g = document.getElementById(arguments[0]);"
        "const p = g && g.querySelector('.js-plotly-plot');"
        "return p && p.layout ? (p.layout.shapes || []).map(s => s.y0) : null"
    )
    return list(dash_br.driver.execute_script(script, graph_id) or [])


def field(dash_br: Any, name: str) -> Any:
    return dash_br.driver.find_element(By.CSS_SELECTOR, f'input[id*=\'"field":"{name}"\']')


def test_alerts001_firing_rule_acknowledged_silenced_charted_and_a_new_rule_from_the_form(
    dash_br: Any, server_factory: Any
) -> None:
    server = server_factory(*FAST)
    put_rule(server, id="b-cpu", name="CPU high", kind="threshold", series="b.cpu", warning=80, critical=95,
             recovery=60)  # fmt: skip
    metric(server, "b.cpu", 50)
    metric(server, "b.cpu", 90)
    wait_state(server, "b-cpu", "firing")
    open_page(dash_br, server.url)
    wait_until(lambda: rows(dash_br, "alerts-list", "rule").get("b-cpu", {}).get("state") == "firing",
               timeout=20, message="the rule shown firing")  # fmt: skip
    assert "firing" in text_of(dash_br, "alerts-count")
    # the card refreshes every 5 s only while it shows (assets/client/panel_alerts.js)
    polling = "const v = window.mova.panels.alerts.view.state; return v && v.polling"
    into_view = "document.getElementById('alerts-card').scrollIntoView({block: 'center'}); " + polling
    wait_until(lambda: dash_br.driver.execute_script(into_view) is True, message="the refresh on in view")
    # the feed's column runs the whole page: its card stays on screen beside the last panels
    top, bottom = dash_br.driver.execute_script(
        "const r = document.getElementById('activity-feed').getBoundingClientRect(); return [r.top, r.bottom]"
    )
    assert 0 <= top < bottom <= dash_br.driver.execute_script("return window.innerHeight"), (top, bottom)
    dash_br.driver.execute_script(
        "window.scrollTo(0, 0); document.getElementById('alerts-card').style.marginTop = '3000px'"
    )
    wait_until(lambda: dash_br.driver.execute_script(polling) is False, message="the refresh off out of view")
    dash_br.driver.execute_script("document.getElementById('alerts-card').style.marginTop = ''")

    click(dash_br, "[data-rule=b-cpu] .btn-link")  # its chart: the series with a line at each level
    wait_until(lambda: sorted(levels(dash_br, "alerts-graph")) == [60, 80, 95], message="threshold lines")
    wait_until(lambda: "ok → firing" in text_of(dash_br, "alerts-history"), message="the history")

    click(dash_br, "[data-rule=b-cpu] .btn-outline-warning")
    wait_until(lambda: server.get("/api/alerts/rules/b-cpu").json()["status"]["acknowledged_by"] == "anonymous",
               message="the acknowledgement stored")  # fmt: skip
    wait_until(lambda: "acknowledged by anonymous" in rows(dash_br, "alerts-list", "rule")["b-cpu"]["text"],
               message="the row to say who acknowledged")  # fmt: skip
    click(dash_br, "[data-rule=b-cpu] .btn-outline-secondary")
    wait_until(lambda: [s["rule_id"] for s in server.get("/api/alerts/silences").json()["silences"]] == ["b-cpu"],
               message="the silence stored")  # fmt: skip
    assert "Silenced b-cpu" in text_of(dash_br, "alerts-message")

    click(dash_br, "#alerts-new")
    wait_until(lambda: dash_br.driver.find_elements(By.CSS_SELECTOR, ".modal.show"), message="the form")
    wait_until(lambda: not field(dash_br, "type").is_displayed(), message="event fields hidden for a threshold")
    assert field(dash_br, "series").is_displayed()
    field(dash_br, "id").send_keys("b-mem")
    field(dash_br, "name").send_keys("Memory high")
    field(dash_br, "series").send_keys("b.cpu")
    field(dash_br, "warning").send_keys("70")
    field(dash_br, "recovery").send_keys("75")  # above the firing level: refused, named
    wait_until(lambda: "recovery must be at or below" in text_of(dash_br, "alerts-form-check"), message="the check")
    assert dash_br.driver.find_element(By.ID, "alerts-form-save").get_attribute("disabled") is not None
    recovery = field(dash_br, "recovery")
    recovery.send_keys(Keys.BACKSPACE, Keys.BACKSPACE, "55")
    wait_until(lambda: sorted(levels(dash_br, "alerts-form-preview")) == [55, 70], message="the preview's lines")
    assert "Fires above 70" in text_of(dash_br, "alerts-form-check")
    click(dash_br, "#alerts-form-save")
    wait_until(lambda: server.get("/api/alerts/rules/b-mem").status_code == 200, message="the rule saved")
    saved = server.get("/api/alerts/rules/b-mem").json()
    assert (saved["series"], saved["warning"], saved["recovery"], saved["for"]) == ("b.cpu", 70, 55, 60)
    wait_until(lambda: "b-mem" in rows(dash_br, "alerts-list", "rule"), message="the new rule listed")
    dash_br.driver.save_screenshot("/tmp/alerts001.png")
    assert console_errors(dash_br) == []
