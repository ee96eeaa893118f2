"""What the open page costs the browser: main-thread busy time per second, idle and under load.

The real page (server.url) opens in Debian's Chromium (bench/browser.py ``chrome()``). CDP
``Performance.getMetrics`` gives ``TaskDuration``, the seconds the renderer's main thread spent
running tasks (script, style, layout, paint) since it started; its growth over a window divided by the
window is the share of one core the page keeps busy. ``ScriptDuration`` is the part spent in JS.
The rows: the page idle (no events at all, no collector), the demo (the simulator at its own pace, ~8
events/s, as ``make demo``), and the simulator sped up 12 times (~70 events/s) and 17 times (~100 events/s). The events/s column is what
the server stored during the window (GET /api/status ``last_seq``). Targets (issue 14): idle <= 2 %,
demo <= 10 %, 100/s <= 25 % of a core.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from bench.browser import chrome, open_page
from bench.common import header, table

SETTLE_S = 5.0  # after the badge says Live: the boot's REST loads and first renders are not the steady cost


def main_thread(driver: Any) -> dict[str, float]:
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return {m["name"]: float(m["value"]) for m in metrics}


def measure(driver: Any, server_url: str, seconds: float) -> tuple[float, float, float]:
    """(busy % of a core, JS % of a core, events/s stored) over the next ``seconds``."""
    seq0 = requests.get(server_url + "/api/status", timeout=10).json()["last_seq"]
    m0, t0 = main_thread(driver), time.monotonic()
    time.sleep(seconds)
    m1, t1 = main_thread(driver), time.monotonic()
    seq1 = requests.get(server_url + "/api/status", timeout=10).json()["last_seq"]
    wall = t1 - t0
    busy = 100.0 * (m1["TaskDuration"] - m0["TaskDuration"]) / wall
    script = 100.0 * (m1["ScriptDuration"] - m0["ScriptDuration"]) / wall
    return busy, script, (seq1 - seq0) / wall


def case(label: str, seconds: float, *server_args: str, time_scale: float | None = None) -> list[Any]:
    from bench.common import mova_server
    from hub.demo.player import Demo

    with mova_server(*server_args) as server:
        demo = Demo(server.url, seed=7, time_scale=time_scale).start() if time_scale else None
        driver = chrome()
        try:
            driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
            open_page(driver, server.url)
            time.sleep(SETTLE_S)
            busy, script, rate = measure(driver, server.url, seconds)
            feed = driver.execute_script("return document.querySelectorAll('#activity-feed [data-seq]').length;")
        finally:
            driver.quit()
            if demo is not None:
                demo.stop()
    row = [label, rate, busy, script, feed]
    print(row, flush=True)
    return row


def netdata_case(seconds: float) -> list[Any]:
    """Netdata's own dashboard (its agent on loopback, bench/idle.py), same window, same measure."""
    import psutil

    from bench.idle import netdata

    with netdata() as (pid, version):
        if not pid:
            return [f"Netdata: {version}", float("nan"), float("nan"), float("nan"), ""]
        port = next(c.laddr.port for c in psutil.Process(pid).net_connections("tcp") if c.status == "LISTEN")
        driver = chrome()
        try:
            driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "threadTicks"})
            driver.get(f"http://127.0.0.1:{port}/")
            time.sleep(SETTLE_S)
            m0, t0 = main_thread(driver), time.monotonic()
            time.sleep(seconds)
            m1, t1 = main_thread(driver), time.monotonic()
        finally:
            driver.quit()
    wall = t1 - t0
    busy = 100.0 * (m1["TaskDuration"] - m0["TaskDuration"]) / wall
    script = 100.0 * (m1["ScriptDuration"] - m0["ScriptDuration"]) / wall
    row = [f"Netdata's dashboard ({version}, its defaults: host metrics every 1 s)", float("nan"), busy, script, ""]
    print(row, flush=True)
    return row


def run(quick: bool = False, seconds: float | None = None, only: tuple[str, ...] = ()) -> str:
    seconds = seconds or (10.0 if quick else 30.0)
    cases = {
        "idle": lambda: case("idle (no events, no collector)", seconds, "--no-collector"),
        "demo": lambda: case("demo (make demo)", seconds, "--demo"),
        "x12": lambda: case("demo x12", seconds, time_scale=12.0),
        "100": lambda: case("demo x17 (~100 events/s)", seconds, time_scale=17.0),
        "netdata": lambda: netdata_case(seconds),
    }
    rows = [run_case() for name, run_case in cases.items() if not only or name in only]
    cols = ["page", "events/s", "main thread busy % of a core", "of which JS %", "feed rows"]
    note = "\nbusy: CDP Performance.getMetrics TaskDuration growth / wall time, after a 5 s settle.\n"
    return header(f"Page cost: main-thread busy time ({seconds:.0f} s per row)") + "\n" + table(cols, rows) + note


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.page_cost", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10 s per row")
    parser.add_argument("--seconds", type=float, help="seconds measured per row")
    parser.add_argument(
        "--only", nargs="*", default=[], choices=("idle", "demo", "x12", "100", "netdata"), help="rows to run"
    )
    args = parser.parse_args(argv)
    print(run(args.quick, args.seconds, tuple(args.only)))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
