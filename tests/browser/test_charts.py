"""Metric charts: live points through extendData, zoom kept across updates, pause, history ranges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import console_errors, open_page, text_of, trace_lengths, wait_badge
from tests.server import wait_until

PLOT = (
    "const g = document.getElementById(arguments[0]);"
    "const p = g.classList.contains('js-plotly-plot') ? g : g.querySelector('.js-plotly-plot');"
)


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sample(cpu: float) -> dict[str, Any]:
    return {"type": "system.metrics", "data": {"cpu.percent": cpu, "memory.percent": 40.0, "net.rx_bps": 1000.0}}


def test_chart001_gains_points_and_keeps_zoom(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post(sample(10.0))
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [1], 10, 0.05, "the first CPU point")
    wait_until(lambda: text_of(dash_br, "metrics-stat-chart-cpu") == "10.0%", 10, 0.05, "the latest value")

    # the user zooms the y axis; live points must not undo it
    dash_br.driver.execute_script(PLOT + "return Plotly.relayout(p, {'yaxis.range': [5, 15]});", "chart-cpu")
    for cpu in (11.0, 12.0, 13.0):
        server.post(sample(cpu))
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [4], 10, 0.05, "three more CPU points")
    y_range = dash_br.driver.execute_script(PLOT + "return p.layout.yaxis.range;", "chart-cpu")
    assert [round(v) for v in y_range] == [5, 15]
    assert trace_lengths(dash_br, "chart-memory")[0] == 4
    assert console_errors(dash_br) == []


def test_chart002_pause_counts_waiting_points_then_applies_them(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post(sample(1.0))
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [1], 10, 0.05, "the first point")
    dash_br.find_element("#metrics-pause").click()
    wait_until(lambda: text_of(dash_br, "metrics-pause-label") == "Resume", 10, 0.05, "paused")
    # two samples at distinct times (a chart's times are strictly increasing: two at one instant are one point)
    now = datetime.now(UTC)
    server.post([{**sample(v), "time": iso(now + timedelta(milliseconds=100 * i))} for i, v in enumerate((2.0, 3.0))])
    wait_until(lambda: "waiting" in text_of(dash_br, "metrics-pause-label"), 10, 0.05, "points waiting")
    assert trace_lengths(dash_br, "chart-cpu")[0] == 1, "a paused chart moved"
    dash_br.find_element("#metrics-pause").click()
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [3], 10, 0.05, "the waiting points applied")
    assert console_errors(dash_br) == []


def test_chart003_range_loads_history_and_custom_series(dash_br: Any, server: Any) -> None:
    server.post([sample(float(i)) for i in range(5)] + [{"type": "metrics.update", "data": {"queue.depth": 7.0}}])
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] and trace_lengths(dash_br, "chart-cpu")[0] >= 1, 10)
    dash_br.driver.find_element("xpath", "//label[normalize-space()='1 h']").click()
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[0] >= 1, 10)
    server.post({"type": "metrics.update", "data": {"queue.depth": 9.0}})
    wait_until(
        lambda: (
            "queue.depth"
            in (
                dash_br.driver.execute_script(
                    "return Array.from(document.querySelectorAll('#metrics-series')).map(e => e.textContent).join()"
                )
                or ""
            )
        ),
        10,
    )
    assert console_errors(dash_br) == []
