"""The page works under its own Content-Security-Policy: it loads, goes Live, draws, and logs no violation."""

from __future__ import annotations

from typing import Any

import requests

from tests.browser.conftest import console_errors, open_page, text_of, trace_lengths, wait_badge
from tests.server import wait_until


def test_csp001_page_goes_live_under_its_policy(dash_br: Any, server: Any) -> None:
    page = requests.get(server.url, timeout=10)
    policy = page.headers["Content-Security-Policy"]
    # the policy is strict: no inline script but Dash's own, by hash; no framing; no eval
    assert (
        "script-src 'self' 'sha256-" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "'unsafe-eval'" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"

    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    server.post([{"type": "metrics.update", "data": {"cpu.percent": 10.0 + i}} for i in range(3)])
    server.post({"type": "notification", "data": {"level": "warning", "title": "under CSP"}})
    wait_until(lambda: text_of(dash_br, "notification-count") == "1", 10, 0.05, "the bell to count the notification")
    wait_until(lambda: any(trace_lengths(dash_br, "chart-cpu")), 10, 0.05, "the cpu chart to draw")
    # Chromium reports every blocked script, style, connection or frame as a SEVERE console entry
    assert console_errors(dash_br) == []
