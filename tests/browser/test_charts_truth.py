"""Honest charts (issue 15, point 3), read back from the figures in the DOM.

A series with an outage is drawn with a break (a null point, traces never connect gaps), history and
live points never double or go backwards however the range is switched, 24 h is drawn from the
minute rollups, and the loss curve breaks between two runs of a job, in history and live.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from tests.browser.conftest import console_errors, figure_data, open_page, trace_lengths, wait_badge
from tests.server import wait_until


def iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cpu(t: datetime, value: float) -> dict[str, Any]:
    return {"type": "system.metrics", "time": iso(t), "data": {"cpu.percent": value}}


def increasing(times: list[str]) -> bool:
    return all(times[i] < times[i + 1] for i in range(len(times) - 1))


def check_trace(trace: dict[str, list[Any]], points: int, breaks: int) -> None:
    """``points`` values, ``breaks`` nulls, every time strictly after the one before (none twice)."""
    assert [v is None for v in trace["y"]].count(True) == breaks, trace["y"]
    assert len(trace["y"]) - breaks == points
    assert increasing(trace["x"]), "times must be strictly increasing"


def pick_range(dash_br: Any, label: str) -> None:
    dash_br.driver.find_element("xpath", f"//label[normalize-space()='{label}']").click()


def test_chart101_outage_is_a_break_and_range_switches_never_double(dash_br: Any, server: Any) -> None:
    now = datetime.now(UTC)
    before = [cpu(now - timedelta(seconds=200 - i), 10.0 + i % 5) for i in range(60)]
    after = [cpu(now - timedelta(seconds=100 - i), 20.0 + i % 5) for i in range(60)]  # a 40 s outage between
    server.post(before + after)
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [120], 10, 0.05, "the history")
    check_trace(figure_data(dash_br, "chart-cpu")[0], 120, 1)
    breaks = figure_data(dash_br, "chart-cpu")[0]["y"].index(None)
    assert breaks == 60, "the break sits between the last point before the outage and the first after"
    assert figure_data(dash_br, "chart-cpu")[0]["mode"] == "lines", "no point stands alone: no markers"
    connects = {
        g: dash_br.driver.execute_script(
            "const p = document.querySelector('#' + arguments[0] + ' .js-plotly-plot, #' + arguments[0] + '.js-plotly-plot');"
            "return p.data.map(t => t.connectgaps)",
            g,
        )
        for g in ("chart-cpu", "chart-memory", "chart-network", "chart-disk", "chart-custom")
    }
    assert all(flags and set(flags) == {False} for flags in connects.values()), (
        f"a trace would hide a break: {connects}"
    )

    # Live, 1 h, Live: each range's figure alone, the same points, once each
    pick_range(dash_br, "1 h")  # a point per pixel: buckets of several seconds, the outage still a break
    wait_until(lambda: 0 < (trace_lengths(dash_br, "chart-cpu") or [0])[0] < 120, 10, 0.05, "1 h")
    hour = figure_data(dash_br, "chart-cpu")[0]
    check_trace(hour, len(hour["y"]) - 1, 1)
    # the export dialog takes what the chart shows: its series, window and buckets, the same values
    dash_br.find_element("#export-open").click()
    href = "const a = document.getElementById('export-download'); return (a && a.getAttribute('href')) || ''"  # the dialog may not be drawn yet
    link = wait_until(lambda: "max_points" in (h := dash_br.driver.execute_script(href)) and h, 10, 0.05, "the link")
    exported = pd.read_csv(io.StringIO(server.get(link.replace("format=csv", "format=csv&layout=long")).text))
    cpu_rows = exported[exported["series"] == "cpu.percent"]
    assert list(cpu_rows["value"]) == [v for v in hour["y"] if v is not None]
    assert "swap.percent" not in set(exported["series"]), "a series the charts do not have is not exported"
    dash_br.driver.find_element("css selector", "#export-modal .btn-close").click()
    wait_until(lambda: not dash_br.driver.find_elements("css selector", "#export-modal .modal-content"), 10, 0.05)
    pick_range(dash_br, "Live 5m")
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [120], 10, 0.05, "live again")
    check_trace(figure_data(dash_br, "chart-cpu")[0], 120, 1)

    # live points: after a silence wider than three collector steps, a break; then no break at 1 s
    lone = datetime.now(UTC)
    server.post(cpu(lone, 50.0))
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [121], 10, 0.05, "one live point")
    # alone after the break, a line would not show it: the trace gets markers
    wait_until(lambda: figure_data(dash_br, "chart-cpu")[0]["mode"] == "lines+markers", 10, 0.05, "markers")
    server.post(cpu(lone + timedelta(seconds=1), 51.0))  # one collector step after it, however long the wait took
    wait_until(lambda: trace_lengths(dash_br, "chart-cpu")[:1] == [122], 10, 0.05, "two live points")
    trace = figure_data(dash_br, "chart-cpu")[0]
    check_trace(trace, 122, 2)
    assert trace["y"][-3:] == [None, 50.0, 51.0]
    wait_until(lambda: figure_data(dash_br, "chart-cpu")[0]["mode"] == "lines", 10, 0.05, "lines again")
    assert console_errors(dash_br) == []


def test_chart102_24h_from_minute_rollups_and_loss_breaks_between_runs(dash_br: Any, server: Any) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(hours=3)
    samples = [cpu(start + timedelta(seconds=20 * i), 30.0 + i % 7) for i in range(540)]
    samples = [s for i, s in enumerate(samples) if not 180 <= i < 270]  # a 30-minute hole after the first hour
    server.post(samples)

    def progress(seconds_ago: float, progress: float, loss: float, state: str = "running") -> dict[str, Any]:
        data = {"job": "resnet", "state": state, "progress": progress, "loss": loss}
        return {"type": "ml.training.progress", "time": iso(now - timedelta(seconds=seconds_ago)), "data": data}

    first_run = [progress(120 - 10 * i, 0.1 * (i + 1), 2.0 - 0.1 * i) for i in range(5)]
    second_run = [progress(60 - 10 * i, 0.1 * (i + 1), 1.5 - 0.1 * i) for i in range(3)]  # progress went back down
    server.post(first_run + second_run)
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")

    pick_range(dash_br, "24 h")
    # 2.5 h of data at one point a minute: not two hourly points joined by a line
    wait_until(lambda: (trace_lengths(dash_br, "chart-cpu") or [0])[0] >= 140, 10, 0.05, "minute points")
    trace = figure_data(dash_br, "chart-cpu")[0]
    assert trace["y"].count(None) == 1, "one break: the 30-minute hole"
    assert increasing(trace["x"])

    # the loss curve of the selected (only) job: history breaks between the runs...
    wait_until(lambda: trace_lengths(dash_br, "ml-loss") == [8], 10, 0.05, "both runs' losses")
    loss = figure_data(dash_br, "ml-loss")[0]
    assert loss["y"][5] is None and loss["y"].count(None) == 1, loss["y"]
    # ...and so do live points when a run finishes and the next one starts
    server.post(progress(20, 1.0, 1.2, "completed"))
    server.post(progress(0, 0.05, 2.4))
    # the curve is drawn only on screen (a redraw off screen is wasted): it catches up when it shows
    dash_br.driver.execute_script("document.getElementById('ml-loss').scrollIntoView({block: 'center'})")
    wait_until(lambda: trace_lengths(dash_br, "ml-loss") == [10], 10, 0.05, "the live points")
    loss = figure_data(dash_br, "ml-loss")[0]
    assert loss["y"][-3:] == [1.2, None, 2.4] and loss["y"].count(None) == 2
    assert increasing(loss["x"])
    assert console_errors(dash_br) == []
