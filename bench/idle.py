"""Idle cost: server CPU with one page open and the 1 s host collector on, beside Netdata's agent.

Both run at once over the same window: MOVA (``python app.py``, collector every 1 s, one headless
Chromium page open on it) and Debian's ``netdata`` bound to 127.0.0.1 on a free port (``-D``, its own
config dir under a temp dir so the machine's is untouched). CPU is user+system seconds of each process
tree (psutil), as a percent of one core. Chromium's own CPU is reported apart: it is the client.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.browser import chrome, open_page
from bench.common import CpuMeter, header, table
from bench.latency import free_port

NETDATA = shutil.which("netdata") or "/usr/sbin/netdata"


@contextmanager
def netdata() -> Iterator[tuple[int, str]]:
    """Netdata's agent on loopback in the foreground: (pid, version), or (0, why not) when missing."""
    if not os.path.exists(NETDATA):
        yield 0, "netdata not installed (make bench installs it: apt-get install netdata)"
        return
    port = free_port()
    version = subprocess.run([NETDATA, "-v"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="netdata-bench-") as tmp:
        conf = Path(tmp) / "netdata.conf"
        conf.write_text(
            "[global]\n    run as user = root\n"
            f"[web]\n    bind to = 127.0.0.1:{port}\n"
            f"[directories]\n    cache = {tmp}/cache\n    lib = {tmp}/lib\n    log = {tmp}/log\n"
            "[registry]\n    enabled = no\n"
            "[cloud]\n    enabled = no\n"
        )
        for d in ("cache", "lib", "log"):
            (Path(tmp) / d).mkdir()
        proc = subprocess.Popen(
            [NETDATA, "-D", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/api/v1/info", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            yield proc.pid, version
        finally:
            try:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, 9)
                proc.wait()


def run(quick: bool = False, seconds: float | None = None) -> str:
    from bench.common import mova_server

    seconds = seconds or (20.0 if quick else 60.0)
    with mova_server("--collector-interval", "1.0") as server, netdata() as (nd_pid, nd_version):
        driver = chrome()
        try:
            open_page(driver, server.url)
            time.sleep(min(5.0, seconds))  # start-up work (imports, first page load, netdata's first scans) is not idle
            meters = {
                "mova": CpuMeter(server.proc.pid).start(),
                "browser": CpuMeter(driver.service.process.pid).start(),
            }
            if nd_pid:
                meters["netdata"] = CpuMeter(nd_pid).start()
            time.sleep(seconds)
            for m in meters.values():
                m.stop()
        finally:
            driver.quit()
    rows = [["MOVA server (collector 1 s, one page open)", meters["mova"].percent, meters["mova"].cpu_s]]
    if "netdata" in meters:
        rows.append(
            [f"Netdata agent ({nd_version}, defaults, loopback)", meters["netdata"].percent, meters["netdata"].cpu_s]
        )
    else:
        rows.append([f"Netdata: {nd_version}", float("nan"), float("nan")])
    rows.append(["(the headless Chromium page itself)", meters["browser"].percent, meters["browser"].cpu_s])
    return (
        header(f"4. Idle cost over {seconds:.0f} s, side by side")
        + "\n"
        + table(["process tree", "CPU % of one core", "CPU s"], rows)
        + "\n"
    )


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
