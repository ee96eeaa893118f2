"""The benchmarks run, at tiny sizes, and their numbers make sense (correctness only, nothing timed).

Each piece of ``python -m bench`` runs for a second or so: latency with 2 clients on every path
(MOVA default and frame_ms=0, the bare websockets floor, the 1 s poll, Dash's websocket callbacks)
must lose nothing; throughput must accept events; the browser pieces must see painted events, an idle
CPU figure and heap samples. Browser pieces are skipped where Chromium is missing.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pytest

from bench import browser, idle, latency, throughput

HAS_CHROMIUM = os.path.exists("/usr/bin/chromium") and os.path.exists("/usr/bin/chromedriver")


def test_bench001_latency_every_path_loses_nothing() -> None:
    results: list[latency.Result] = []
    text = latency.run(cases=[(20, 2)], seconds=1.0, results=results)
    assert "machine:" in text and "command:" in text
    by_path = {r.label: r for r in results}
    assert len(by_path) == 5, text
    for r in results:
        assert r.sent == 20, text
        assert r.lost == 0, text
        assert 0 <= r.p50_ms <= r.p99_ms <= r.max_ms, text
        assert 0 <= r.steal <= 100, text


def test_bench002_throughput_accepts_events() -> None:
    rows: list[list[Any]] = []
    throughput.run(clients_n=2, seconds=0.5, sizes=(10,), rows=rows)
    assert len(rows) == 2
    for row in rows:
        assert int(str(row[2]).replace(",", "")) > 0
        assert row[3] == 0  # no failed POST


@pytest.mark.skipif(not HAS_CHROMIUM, reason="needs /usr/bin/chromium and /usr/bin/chromedriver")
def test_bench003_painted_sees_every_event_over_the_socket() -> None:
    rows: list[list[Any]] = []
    text = browser.run_painted(seconds=1.0, rates=(10,), rows=rows)
    live, polling = rows
    assert live[0] == "Live" and polling[0] == "Polling", text
    for row in rows:
        assert row[2] == 10 and row[7] == 0, text  # 10 sent, all painted
        assert not math.isnan(row[5]), text


@pytest.mark.skipif(not HAS_CHROMIUM, reason="needs /usr/bin/chromium and /usr/bin/chromedriver")
def test_bench004_idle_and_memory_report_numbers() -> None:
    text = idle.run(seconds=2.0)
    assert "MOVA server" in text and "Netdata" in text
    text = browser.run_memory(minutes=0.1)
    assert "heap start MiB" in text and "samples (MiB" in text
