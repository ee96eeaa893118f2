"""The host collector: publishes this machine's metrics and health as events.

Every ``collector_interval`` seconds a thread samples psutil and publishes one
``system.metrics`` event (a flat object of series name -> number) through the
hub, exactly as an external service would over HTTP. From the same samples a
``HealthTracker`` derives ``system.status`` with hysteresis, so a short CPU
spike never flips the badge and a host hovering at the threshold does not
flap. The parts that decide things (``rates``, ``build_sample``,
``HealthTracker``) take their inputs explicitly so unit tests can drive them
with real psutil readings and explicit times.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

from hub.settings import Settings

if TYPE_CHECKING:
    from hub.hub import Hub

logger = logging.getLogger(__name__)

HEALTHY, DEGRADED = "healthy", "degraded"
RECOVERY_MARGIN = 5.0  # points below the threshold a value must fall to count as recovered


# -- counters and samples ---------------------------------------------------


@dataclass(frozen=True)
class Counters:
    """Cumulative counters read at one moment; two of them give rates."""

    at: float  # time.monotonic(): rates must not jump when the wall clock is set
    cpu_busy: float  # seconds the CPUs spent not idle, summed over CPUs
    cpu_total: float
    process_cpu: float  # user + system seconds of this process
    disk: tuple[int, int] | None  # (read_bytes, write_bytes); None where the kernel exposes no disks
    net: dict[str, tuple[int, int]] | None  # interface -> (bytes_recv, bytes_sent), loopback left out


def _cpu_busy_total(times: Any) -> tuple[float, float]:
    # as psutil.cpu_percent does: guest time is already counted in user/nice, and
    # iowait is idle time (the CPU could have run something else)
    total = sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def read_counters(process: psutil.Process, now: float) -> Counters:
    """Read the cumulative counters that rates are computed from."""
    busy, total = _cpu_busy_total(psutil.cpu_times())
    proc_times = process.cpu_times()
    disk_io = psutil.disk_io_counters()  # None in many containers
    net_io = psutil.net_io_counters(pernic=True)
    return Counters(
        at=now,
        cpu_busy=busy,
        cpu_total=total,
        process_cpu=proc_times.user + proc_times.system,
        disk=(disk_io.read_bytes, disk_io.write_bytes) if disk_io is not None else None,
        net={name: (c.bytes_recv, c.bytes_sent) for name, c in external_interfaces(net_io).items()} or None,
    )


MAX_INTERFACES = 16  # per-interface series; a host with hundreds of veths still gets its totals


def is_loopback(name: str, stats: Any) -> bool:
    """Loopback by the kernel's flag (psutil >= 5.9.3 on Linux), else by its usual names."""
    flags = getattr(stats, "flags", None)
    if isinstance(flags, str):
        return "loopback" in flags.split(",")
    return name == "lo" or name.startswith("lo0") or name.lower().startswith("loopback")


def external_interfaces(counters: dict[str, Any]) -> dict[str, Any]:
    """The interfaces whose traffic leaves the host: loopback counts every local byte twice (In = Out)."""
    stats = psutil.net_if_stats()
    return {name: c for name, c in counters.items() if not is_loopback(name, stats.get(name))}


def series_part(name: str) -> str:
    """An interface name as one segment of a series name (net.<iface>.rx_bytes_s)."""
    return "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in name.lower())[:40]


def _per_second(before: int, after: int, seconds: float) -> float | None:
    # a counter that went backwards was reset (device removed, counter wrapped
    # past psutil's correction): no honest rate for this interval, so none at all
    return (after - before) / seconds if after >= before else None


def rates(previous: Counters, current: Counters) -> dict[str, float]:
    """Series derived from two readings: CPU percentages and I/O bytes per second."""
    seconds = current.at - previous.at
    if seconds <= 0:
        return {}
    out: dict[str, float | None] = {}
    total = current.cpu_total - previous.cpu_total
    if total > 0:
        busy = current.cpu_busy - previous.cpu_busy
        out["cpu.percent"] = min(100.0, max(0.0, 100.0 * busy / total))
    # like top: 100 is one full core, so a busy multi-threaded process can pass 100
    out["process.cpu_percent"] = max(0.0, 100.0 * (current.process_cpu - previous.process_cpu) / seconds)
    if previous.disk is not None and current.disk is not None:
        out["disk.read_bps"] = _per_second(previous.disk[0], current.disk[0], seconds)
        out["disk.write_bps"] = _per_second(previous.disk[1], current.disk[1], seconds)
    if previous.net is not None and current.net is not None:
        out.update(_net_rates(previous.net, current.net, seconds))
    return {name: round(value, 3) for name, value in out.items() if value is not None}


def _net_rates(
    previous: dict[str, tuple[int, int]], current: dict[str, tuple[int, int]], seconds: float
) -> dict[str, float | None]:
    """Per interface (net.<iface>.rx_bytes_s, .tx_bytes_s, the first MAX_INTERFACES by name) and totals
    over every interface but loopback (net.rx_bps, net.tx_bps): no total where one counter was reset."""
    out: dict[str, float | None] = {}
    both = sorted(name for name in current if name in previous)
    for direction, (per, total) in enumerate((("rx_bytes_s", "net.rx_bps"), ("tx_bytes_s", "net.tx_bps"))):
        each = {name: _per_second(previous[name][direction], current[name][direction], seconds) for name in both}
        for name in both[:MAX_INTERFACES]:
            out[f"net.{series_part(name)}.{per}"] = each[name]
        values = list(each.values())
        out[total] = None if not values or None in values else sum(v for v in values if v is not None)
    return out


def _existing(path: Path) -> Path:
    # the data dir is created by the store, but measure its nearest existing
    # ancestor rather than fail if someone removed it under us
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def gauges(process: psutil.Process, data_path: Path) -> dict[str, float]:
    """Series read directly at one moment: memory, swap, disk use, load, process memory."""
    memory = psutil.virtual_memory()
    out: dict[str, float] = {
        "memory.percent": memory.percent,
        "memory.used_bytes": memory.used,
        "memory.available_bytes": memory.available,
        "swap.percent": psutil.swap_memory().percent,
        "disk.percent": psutil.disk_usage(str(_existing(data_path))).percent,
        "process.rss_bytes": process.memory_info().rss,
    }
    try:
        load1, load5, load15 = psutil.getloadavg()
    except (AttributeError, OSError):  # no load average on this platform
        pass
    else:
        out.update({"load.1": round(load1, 3), "load.5": round(load5, 3), "load.15": round(load15, 3)})
    return out


def build_sample(
    previous: Counters | None, now: float, process: psutil.Process, data_path: Path
) -> tuple[dict[str, float], Counters]:
    """One system.metrics payload and the counters to pass as ``previous`` next time.

    Rate series (CPU percentages, disk and network bytes per second) need a
    previous reading, so they are absent when ``previous`` is None.
    """
    current = read_counters(process, now)
    data = gauges(process, data_path)
    if previous is not None:
        data.update(rates(previous, current))
    # system.metrics only takes finite numbers; psutil can report NaN on odd platforms
    return {k: v for k, v in data.items() if math.isfinite(v)}, current


# -- health -------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """A system.status payload: overall state, per-component states and why."""

    state: str
    components: dict[str, str]
    message: str

    def data(self) -> dict[str, Any]:
        return {"state": self.state, "message": self.message, "components": dict(self.components)}


@dataclass
class _Hysteresis:
    """One component: turns degraded above ``high`` for ``after_s``, healthy below ``low`` for ``after_s``."""

    high: float
    low: float
    after_s: float
    degraded: bool = False
    crossing_since: float | None = field(default=None)

    def update(self, value: float, now: float) -> bool:
        crossing = value < self.low if self.degraded else value > self.high
        if not crossing:
            # any sample back on the current side restarts the clock: "stays above" means every sample
            self.crossing_since = None
            return self.degraded
        if self.crossing_since is None:
            self.crossing_since = now
        if now - self.crossing_since >= self.after_s:
            self.degraded = not self.degraded
            self.crossing_since = None
        return self.degraded


class HealthTracker:
    """The host's health from CPU and memory percent, with hysteresis.

    A component turns degraded once its value has stayed above its threshold
    for ``after_s`` seconds, and healthy again only once it has stayed below
    ``threshold - margin`` for ``after_s``. The host is degraded while any
    component is. ``update`` returns the new Health when the state changed
    (overall or a component), else None.
    """

    def __init__(
        self, cpu_percent: float, memory_percent: float, after_s: float, margin: float = RECOVERY_MARGIN
    ) -> None:
        self._components = {
            "cpu": _Hysteresis(cpu_percent, cpu_percent - margin, after_s),
            "memory": _Hysteresis(memory_percent, memory_percent - margin, after_s),
        }
        self.current = Health(HEALTHY, {name: HEALTHY for name in self._components}, "CPU and memory within thresholds")

    def update(self, cpu: float, memory: float, now: float) -> Health | None:
        values = {"cpu": cpu, "memory": memory}
        states = {
            name: DEGRADED if part.update(values[name], now) else HEALTHY for name, part in self._components.items()
        }
        if states == self.current.components:
            return None
        degraded = [name for name, state in states.items() if state == DEGRADED]
        if degraded:
            message = "; ".join(
                f"{name} at {values[name]:.0f}%, above {self._components[name].high:g}%" for name in degraded
            )
            self.current = Health(DEGRADED, states, message)
        else:
            self.current = Health(HEALTHY, states, f"recovered: CPU {cpu:.0f}%, memory {memory:.0f}%")
        return self.current


# -- the thread ---------------------------------------------------------------


class HostCollector:
    """Samples the host every ``settings.collector_interval`` seconds and publishes through the hub."""

    def __init__(self, hub: Hub, settings: Settings) -> None:
        self.hub = hub
        self.interval = settings.collector_interval
        self.data_path = settings.data_path
        self.source = f"host/{socket.gethostname() or 'localhost'}"
        self.health = HealthTracker(
            settings.degraded_cpu_percent, settings.degraded_memory_percent, settings.degraded_after_s
        )
        self._process = psutil.Process(os.getpid())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="host-collector", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop sampling and wait for a tick in progress to finish. Safe to call twice."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    @property
    def running(self) -> bool:
        """Sampling: started, not stopped, and its thread alive (GET /metrics reports it)."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _publish(self, type_: str, data: dict[str, Any]) -> None:
        try:
            self.hub.publish(type_, data, source=self.source)
        except Exception:
            logger.exception("host collector could not publish %s", type_)

    def _run(self) -> None:
        self._publish("system.status", self.health.current.data())
        # a baseline now, so the first published sample already carries every rate
        previous: Counters | None = None
        try:
            previous = read_counters(self._process, time.monotonic())
        except Exception:
            logger.exception("host collector could not read counters; rates start one tick later")
        next_tick = time.monotonic() + self.interval
        while not self._stop.wait(max(0.0, next_tick - time.monotonic())):
            # a fixed schedule keeps samples evenly spaced; after a stall, skip the missed ticks
            next_tick = max(next_tick + self.interval, time.monotonic())
            previous = self._tick(previous)

    def _tick(self, previous: Counters | None) -> Counters | None:
        try:
            data, current = build_sample(previous, time.monotonic(), self._process, self.data_path)
        except Exception:
            logger.exception("host collector sample failed; trying again next tick")
            return previous
        self._publish("system.metrics", data)
        if "cpu.percent" in data:
            change = self.health.update(data["cpu.percent"], data["memory.percent"], current.at)
            if change is not None:
                self._publish("system.status", change.data())
        return current
