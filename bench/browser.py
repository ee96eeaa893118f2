"""Ingest -> painted in headless Chromium, and the page's JS heap under load.

The real page (server.url) opens in Debian's Chromium through selenium 4.2 and /usr/bin/chromedriver.
A MutationObserver injected into the page records, for every feed item (#activity-feed [data-seq])
added to the DOM, performance.timeOrigin + performance.now() (epoch ms, the producer's clock). Events
carry their send time; the POST's answer gives their seq. Painted latency = DOM time - send time.
The polling fallback is forced with the proxy the browser tests use (tests/browser/conftest.py): it
passes HTTP and answers every WebSocket upgrade with 403, so the page polls GET /api/events.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests

from bench.common import ROOT, CpuMeter, header, percentile, table

OBSERVER = """
if (!window.__benchPainted) {
  window.__benchPainted = {};
  const feed = document.getElementById('activity-feed');
  const seen = window.__benchPainted;
  const note = (node) => {
    if (node.nodeType !== 1) return;
    const t = performance.timeOrigin + performance.now();
    const items = node.hasAttribute('data-seq') ? [node] : node.querySelectorAll('[data-seq]');
    for (const el of items) { const s = el.getAttribute('data-seq'); if (!(s in seen)) seen[s] = t; }
  };
  new MutationObserver((records) => { for (const r of records) r.addedNodes.forEach(note); })
    .observe(feed, { childList: true, subtree: true });
}
return true;
"""


def chrome() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-precise-memory-info",
        "--window-size=1400,900",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def open_page(driver: Any, url: str, live_text: str = "Live", timeout: float = 30.0) -> None:
    """Load the page and wait until the badge names the transport (Live or Polling) and the feed exists."""
    driver.get(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ok = driver.execute_script(
            "const b = document.getElementById('status-badge'); const f = document.getElementById('activity-feed');"
            "return !!(b && f && b.textContent.includes(arguments[0]));",
            live_text,
        )
        if ok:
            return
        time.sleep(0.1)
    raise RuntimeError(f"page at {url} never showed {live_text!r}")


@contextmanager
def refusing_proxy(upstream_url: str) -> Iterator[str]:
    """tests/browser/conftest.py's proxy: HTTP passes, WebSocket upgrades get 403."""
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.browser.conftest import _RefuseWebSocketProxy

    split = urlsplit(upstream_url)
    handler = type("Handler", (_RefuseWebSocketProxy,), {"upstream": (split.hostname, split.port)})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    proxy.daemon_threads = True
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()


def produce_seq(url: str, rate: int, seconds: float, type_: str = "user.activity") -> dict[int, float]:
    """POST ``rate`` events/s (ticks of 10 ms at most 100 POSTs/s); seq -> send time (epoch ms)."""
    session = requests.Session()
    per_tick = max(1, rate // 100)
    tick = per_tick / rate
    sent_at: dict[int, float] = {}
    start = time.perf_counter()
    k = 0
    while k * per_tick < rate * seconds:
        delay = start + k * tick - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.time() * 1000
        batch = [
            {"type": type_, "data": {"user": "bench", "action": "tick", "target": str(k * per_tick + j)}}
            for j in range(per_tick)
        ]
        r = session.post(url + "/api/events", json=batch, timeout=30)
        if r.status_code == 202:
            body = r.json()
            for seq in range(body["first_seq"], body["last_seq"] + 1):
                sent_at[seq] = sent
        k += 1
    return sent_at


def painted_case(driver: Any, server_url: str, page_url: str, live_text: str, rate: int, seconds: float) -> list[Any]:
    open_page(driver, page_url, live_text)
    driver.execute_script(OBSERVER)
    time.sleep(min(3.0, seconds))  # let the boot (REST history, charts) settle before timing
    lost0 = driver.execute_script("return window.movaLive ? window.movaLive.state.lostFrames : 0;") or 0
    meter = CpuMeter(driver.service.process.pid).start()
    sent_at = produce_seq(server_url, rate, seconds)
    deadline = time.monotonic() + 8
    painted: dict[str, float] = {}
    while time.monotonic() < deadline:
        painted = driver.execute_script("return window.__benchPainted;")
        if all(str(s) in painted for s in sent_at):
            break
        time.sleep(0.25)
    meter.stop()
    lost = (driver.execute_script("return window.movaLive ? window.movaLive.state.lostFrames : 0;") or 0) - lost0
    delays = [painted[str(s)] - t for s, t in sent_at.items() if str(s) in painted]
    missing = sum(1 for s in sent_at if str(s) not in painted)
    return [
        live_text,
        rate,
        len(sent_at),
        percentile(delays, 0.5),
        percentile(delays, 0.95),
        percentile(delays, 0.99),
        max(delays, default=float("nan")),
        missing,
        lost,
        meter.percent,
    ]


def run_painted(
    quick: bool = False,
    seconds: float | None = None,
    rates: tuple[int, ...] = (10, 200),
    rows: list[list[Any]] | None = None,
    polling: bool = True,
) -> str:
    from bench.common import mova_server

    seconds = seconds or (5.0 if quick else 20.0)
    rows = [] if rows is None else rows
    with mova_server("--no-collector") as server:
        driver = chrome()
        try:
            for rate in rates:
                rows.append(painted_case(driver, server.url, server.url, "Live", rate, seconds))
                print(rows[-1], flush=True)
            with refusing_proxy(server.url) as proxy_url:
                for rate in rates if polling else ():
                    rows.append(painted_case(driver, server.url, proxy_url, "Polling", rate, seconds))
                    print(rows[-1], flush=True)
        finally:
            driver.quit()
    cols = [
        "transport",
        "rate/s",
        "events",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "never painted",
        "frames lost (backfilled)",
        "browser CPU %",
    ]
    note = (
        "\n'never painted': events whose feed item was never added to the DOM; at 200/s the feed keeps its "
        "newest items, so an item may be added and removed between frames (still counted as painted).\n"
        "frames lost: socket frames the page did not see (a gap in their numbers), fetched again by REST.\n"
        "browser CPU: chromedriver + Chromium process tree, percent of one core, while producing.\n"
    )
    return (
        header(f"2. Ingest -> painted in headless Chromium ({seconds:.0f} s per row)") + "\n" + table(cols, rows) + note
    )


def heap(driver: Any, gc: bool = False) -> float:
    """Used JS heap in MiB (CDP Runtime.getHeapUsage), after a full GC when asked."""
    if gc:
        driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    return float(driver.execute_cdp_cmd("Runtime.getHeapUsage", {})["usedSize"]) / 2**20


def run_memory(quick: bool = False, minutes: float | None = None) -> str:
    from bench.common import mova_server

    minutes = minutes or (1.0 if quick else 10.0)
    samples: list[tuple[float, float]] = []
    with mova_server("--no-collector") as server:
        driver = chrome()
        stop = threading.Event()
        producer: threading.Thread | None = None
        try:
            open_page(driver, server.url)
            driver.execute_cdp_cmd("HeapProfiler.enable", {})

            produced = [0]

            def load() -> None:
                while not stop.is_set():
                    try:
                        produced[0] += len(produce_seq(server.url, 100, 2.0))
                    except requests.RequestException:
                        time.sleep(0.1)  # keep the load on; counted by what was acknowledged

            producer = threading.Thread(target=load, daemon=True)
            producer.start()
            time.sleep(min(5.0, minutes * 60 / 2))  # warm: the feed and store fill to their caps
            start_gc = heap(driver, gc=True)
            t0 = time.monotonic()
            every = 5.0 if quick else 30.0
            every = min(every, minutes * 60 / 3)
            while time.monotonic() - t0 < minutes * 60:
                time.sleep(every)
                # after a full GC: what the page retains (without it the samples follow the collector's timing)
                samples.append(((time.monotonic() - t0) / 60, heap(driver, gc=True)))
            end_gc = heap(driver, gc=True)
            fed = driver.execute_script("return document.querySelectorAll('#activity-feed [data-seq]').length;")
            rate = produced[0] / (time.monotonic() - t0 + 5)
        finally:
            stop.set()
            if producer is not None:
                producer.join(timeout=10)
            driver.quit()
    n = len(samples)
    mx = sum(x for x, _ in samples) / n
    my = sum(y for _, y in samples) / n
    slope = sum((x - mx) * (y - my) for x, y in samples) / max(sum((x - mx) ** 2 for x, _ in samples), 1e-9)
    rows = [
        [
            f"{minutes:g} min at 100 events/s (achieved {rate:.0f}/s)",
            start_gc,
            end_gc,
            end_gc - start_gc,
            f"{slope:+.3f}",
            fed,
        ]
    ]
    cols = [
        "run",
        "heap start MiB (after GC)",
        "heap end MiB (after GC)",
        "delta MiB",
        "trend MiB/min (samples after GC)",
        "feed items",
    ]
    series = ", ".join(f"{y:.1f}" for _, y in samples)
    return (
        header("5. Browser JS heap (CDP Runtime.getHeapUsage) with the page open")
        + "\n"
        + table(cols, rows)
        + f"\n\nsamples (MiB after GC, every {every:.0f} s): {series}\n"
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 s per painted row, 1 min of heap")
    parser.add_argument("--only", choices=("painted", "memory"), help="run only this part")
    parser.add_argument("--rates", type=int, nargs="*", default=[10, 200], help="painted: events/s per row")
    parser.add_argument("--seconds", type=float, help="painted: seconds of load per row")
    parser.add_argument("--no-polling", action="store_true", help="painted: the WebSocket rows only")
    parser.add_argument("--minutes", type=float, help="memory: minutes at 100 events/s")
    args = parser.parse_args(argv)
    if args.only in (None, "painted"):
        print(run_painted(args.quick, args.seconds, tuple(args.rates), polling=not args.no_polling))
    if args.only in (None, "memory"):
        print(run_memory(args.quick, args.minutes))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
