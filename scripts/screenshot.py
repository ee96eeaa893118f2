"""Screenshots of the dashboard with live data, from headless Chromium (for the README).

Starts a real server on a free port (or uses ``--url``), posts a minute of
metric history and a mix of events, opens the page in headless Chromium
through selenium, waits until the badge says Live and the charts have points,
and saves one PNG per width::

    .venv/bin/python scripts/screenshot.py --out docs/screenshots
    .venv/bin/python scripts/screenshot.py --url http://127.0.0.1:8050 --widths 1280

Prints the browser's console errors, if any (there should be none).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from selenium import webdriver
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import ServerProcess, wait_until  # noqa: E402


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def metrics_sample(t: float) -> dict[str, float]:
    """Plausible host metrics that move: a slow wave plus noise."""
    wave = math.sin(t / 40.0)
    return {
        "cpu.percent": round(max(1.0, 32 + 18 * wave + random.uniform(-6, 6)), 2),
        "memory.percent": round(58 + 4 * math.sin(t / 90.0) + random.uniform(-0.5, 0.5), 2),
        "swap.percent": round(6 + random.uniform(0, 0.4), 2),
        "disk.percent": 71.4,
        "disk.read_bps": round(max(0.0, 2.2e6 + 1.8e6 * math.sin(t / 13.0) + random.uniform(-4e5, 4e5))),
        "disk.write_bps": round(max(0.0, 1.1e6 + 9e5 * math.cos(t / 17.0) + random.uniform(-2e5, 2e5))),
        "net.rx_bps": round(max(0.0, 5.5e6 + 3e6 * math.sin(t / 9.0) + random.uniform(-8e5, 8e5))),
        "net.tx_bps": round(max(0.0, 1.4e6 + 7e5 * math.cos(t / 11.0) + random.uniform(-2e5, 2e5))),
        "load.1": round(max(0.05, 1.2 + 0.8 * wave + random.uniform(-0.2, 0.2)), 2),
    }


def history(minutes: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    events = []
    for i in range(minutes * 60, 0, -2):
        moment = now - timedelta(seconds=i)
        events.append(
            {
                "type": "system.metrics",
                "time": iso(moment),
                "source": "host/demo",
                "data": metrics_sample(moment.timestamp()),
            }
        )
    return events


STORY: list[dict[str, Any]] = [
    {"type": "system.status", "data": {"state": "healthy", "message": "all components up"}},
    {"type": "user.presence", "source": "auth", "data": {"user": "ana", "state": "online"}},
    {
        "type": "ml.model.update",
        "source": "registry",
        "data": {"model": "resnet-ft", "version": "v14", "stage": "staging", "metrics": {"top1": 0.913}},
    },
    {
        "type": "file.operation",
        "source": "storage",
        "data": {
            "op": "upload",
            "path": "datasets/images-2026-11.tar",
            "status": "ok",
            "size": 734003200,
            "user": "ana",
        },
    },
    {
        "type": "ml.training.progress",
        "source": "trainer/node-3",
        "data": {
            "job": "resnet-ft",
            "epoch": 3,
            "epochs": 10,
            "progress": 0.3,
            "loss": 0.41,
            "accuracy": 0.86,
            "state": "running",
        },
    },
    {"type": "plugin.status", "source": "plugins", "data": {"plugin": "s3-sync", "state": "active"}},
    {"type": "analytics.update", "source": "analytics", "data": {"requests.per_min": 1840, "errors.per_min": 3}},
    {
        "type": "alert",
        "source": "monitor",
        "data": {"severity": "warning", "title": "GPU 1 temperature high", "message": "84 °C for 5 minutes on node-3"},
    },
    {"type": "user.activity", "source": "web", "data": {"user": "li", "action": "exported", "target": "metrics.csv"}},
    {
        "type": "ml.prediction.result",
        "source": "inference",
        "data": {"model": "resnet-ft", "latency_ms": 23.4, "label": "cat", "confidence": 0.97},
    },
    {
        "type": "notification",
        "source": "trainer/node-3",
        "data": {"level": "success", "title": "Checkpoint saved", "message": "resnet-ft epoch 3 (1.2 GB)"},
    },
    {"type": "deploy.finished", "source": "ci", "data": {"title": "Deployed api v2.31.0", "env": "production"}},
    {
        "type": "notification",
        "source": "scheduler",
        "data": {"level": "info", "title": "Nightly export scheduled", "message": "runs at 02:00 UTC"},
    },
]


def operations(now: datetime) -> list[dict[str, Any]]:
    """The issue 5 panels' story, in the past minutes: training runs with a loss curve, transfers, people, plugins."""

    def at(seconds_ago: float, type_: str, source: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"type": type_, "source": source, "time": iso(now - timedelta(seconds=seconds_ago)), "data": data}

    events = []
    for i in range(30):  # resnet-ft: 30 reports over 5 minutes, loss falling
        progress = 0.05 + i * 0.02
        events.append(
            at(
                300 - i * 10,
                "ml.training.progress",
                "trainer/node-3",
                {
                    "job": "resnet-ft",
                    "model": "resnet50",
                    "epoch": 1 + i // 5,
                    "epochs": 10,
                    "progress": round(progress, 3),
                    "loss": round(1.6 * math.exp(-i / 11) + 0.12 + random.uniform(-0.03, 0.03), 4),
                    "accuracy": round(0.55 + 0.33 * (1 - math.exp(-i / 9)), 4),
                    "eta_s": round((1 - progress) * 1500),
                    "state": "running",
                },
            )
        )
    events += [
        at(
            280,
            "ml.training.progress",
            "trainer/node-1",
            {
                "job": "bert-sentiment",
                "progress": 1.0,
                "state": "completed",
                "epoch": 4,
                "epochs": 4,
                "loss": 0.21,
                "accuracy": 0.93,
            },
        ),
        at(
            200,
            "ml.training.progress",
            "trainer/node-2",
            {"job": "t5-summarize", "progress": 0.42, "state": "failed", "epoch": 3, "epochs": 8, "loss": 1.12},
        ),
        at(250, "ml.model.update", "registry", {"model": "bert-sentiment", "version": "v8", "stage": "production"}),
        at(240, "ml.model.update", "registry", {"model": "churn-xgb", "version": "v3.2", "stage": "staging"}),
        at(
            30,
            "file.upload.progress",
            "storage",
            {
                "transfer": "up-1",
                "name": "checkpoints/resnet-ft-e6.pt",
                "bytes": 312_000_000,
                "total": 940_000_000,
                "state": "running",
            },
        ),
        at(
            20,
            "file.download.progress",
            "storage",
            {
                "transfer": "dl-7",
                "name": "datasets/images-2026-11.tar",
                "bytes": 734_003_200,
                "total": 734_003_200,
                "state": "completed",
            },
        ),
        at(600, "user.presence", "auth", {"user": "omar", "state": "offline"}),
        at(400, "user.presence", "auth", {"user": "li", "state": "online"}),
        at(180, "user.presence", "auth", {"user": "li", "state": "away"}),
        at(120, "user.presence", "auth", {"user": "kim", "state": "online"}),
        at(90, "plugin.status", "plugins", {"plugin": "slack-notifier", "state": "active"}),
        at(89, "plugin.update", "plugins", {"plugin": "slack-notifier", "version": "2.3.1"}),
        at(88, "plugin.update", "plugins", {"plugin": "s3-sync", "version": "1.8.0"}),
        at(70, "plugin.status", "plugins", {"plugin": "grafana-bridge", "state": "error", "message": "token expired"}),
        at(69, "plugin.update", "plugins", {"plugin": "grafana-bridge", "version": "0.9.4"}),
    ]
    for i in range(60):  # a minute of predictions from two models
        model = "resnet-ft" if i % 3 else "churn-xgb"
        latency = random.lognormvariate(3.1 if model == "resnet-ft" else 1.8, 0.35)
        events.append(
            at(59 - i, "ml.prediction.result", "inference", {"model": model, "latency_ms": round(latency, 2)})
        )
    return sorted(events, key=lambda e: e["time"])


class Feeder(threading.Thread):
    """Posts one system.metrics sample a second while the screenshot is taken (like the collector)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            requests.post(
                self.url + "/api/events",
                json={"type": "system.metrics", "source": "host/demo", "data": metrics_sample(time.time())},
                timeout=5,
            )
            self.stop.wait(1.0)


def chromium(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    return webdriver.Chrome(options=options)


def shoot(
    url: str, width: int, height: int, out: Path, open_bell: bool = False, scheme: str = "dark"
) -> list[dict[str, Any]]:
    driver = chromium(width, height)
    try:
        driver.set_window_size(width, height)
        # the theme follows the system's colour scheme while no choice is stored (assets/01_theme.js)
        features = [{"name": "prefers-color-scheme", "value": scheme}]
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
        driver.get(url)
        badge = "const b = document.getElementById('status-badge'); return b ? b.textContent : ''"
        wait_until(lambda: driver.execute_script(badge) == "Live", 30, 0.2, "the badge to say Live")
        points = (
            "const g = document.getElementById('chart-cpu');"
            "const p = g && (g.classList.contains('js-plotly-plot') ? g : g.querySelector('.js-plotly-plot'));"
            "return p && p.data ? p.data[0].x.length : 0"
        )
        wait_until(lambda: driver.execute_script(points) > 20, 30, 0.2, "the CPU chart to have history")
        wait_until(
            lambda: len(driver.find_elements(By.CSS_SELECTOR, "#activity-feed [data-seq]")) >= 8, 30, 0.2, "feed rows"
        )
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#ml-jobs [data-job]"), 30, 0.2, "training jobs")
        time.sleep(
            2.5
        )  # let a couple of live points arrive and the entry animations finish: this is a picture, not a test
        if open_bell:
            driver.find_element(By.ID, "notification-bell").click()
            time.sleep(0.6)
        driver.save_screenshot(str(out))
        return driver.get_log("browser")
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running server (default: start one with demo data)")
    parser.add_argument("--out", default="docs/screenshots", help="directory for the PNG files")
    parser.add_argument("--widths", default="1280", help="comma-separated window widths (1280 is dashboard.png)")
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--themes", default="dark,light", help="dashboard.png is dark, dashboard-light.png light")
    args = parser.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = None
    url = args.url
    if not url:
        server = ServerProcess(Path(tempfile.mkdtemp(prefix="mova-shot-")), "--no-collector").start()
        url = server.url
        requests.post(url + "/api/events", json=history(10), timeout=30).raise_for_status()
        requests.post(url + "/api/events", json=operations(datetime.now(UTC)), timeout=30).raise_for_status()
        for event in STORY:
            requests.post(url + "/api/events", json=event, timeout=10).raise_for_status()
    feeder = Feeder(url)
    feeder.start()
    errors = 0
    try:
        for width in (int(w) for w in args.widths.split(",")):
            for scheme in args.themes.split(","):
                height = args.height if width >= 600 else 844
                name = "dashboard" + ("" if width == 1280 else f"-{width}") + ("" if scheme == "dark" else f"-{scheme}")
                path = out / f"{name}.png"
                logs = shoot(url, width, height, path, scheme=scheme)
                print(f"wrote {path} ({path.stat().st_size // 1024} kB)")
                for entry in logs:
                    errors += 1
                    print(f"  console: {entry['message']}")
    finally:
        feeder.stop.set()
        if server is not None:
            server.stop()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
