"""The host collector's parts: health hysteresis driven with explicit times,
sample building with real psutil readings, and the thread on a real hub."""

from __future__ import annotations

import logging
import math
import os
import time
from pathlib import Path

import psutil
import pytest

from hub.collector import Counters, HealthTracker, build_sample, rates, read_counters
from hub.events.model import Limits, StoredEvent
from hub.events.validate import validate_event
from hub.hub import Hub
from hub.settings import Settings
from tests.server import wait_until

GAUGES = {
    "memory.percent",
    "memory.used_bytes",
    "memory.available_bytes",
    "swap.percent",
    "disk.percent",
    "process.rss_bytes",
}
LOAD = {"load.1", "load.5", "load.15"}
RATES = {"cpu.percent", "process.cpu_percent", "disk.read_bps", "disk.write_bps", "net.rx_bps", "net.tx_bps"}


# -- HealthTracker --------------------------------------------------------------


def tracker(after_s: float = 10.0) -> HealthTracker:
    return HealthTracker(cpu_percent=90.0, memory_percent=80.0, after_s=after_s, margin=5.0)


def test_starts_healthy_with_both_components() -> None:
    health = tracker().current
    assert health.state == "healthy"
    assert health.components == {"cpu": "healthy", "memory": "healthy"}
    assert health.data()["state"] == "healthy" and health.data()["message"]


def test_brief_spikes_do_not_degrade() -> None:
    t = tracker()
    # above the threshold for 9.9 s, then a dip restarts the clock, then 9.9 s again
    for now, cpu in [(0, 95), (5, 99), (9.9, 95), (10.5, 50), (11, 95), (20.9, 95)]:
        assert t.update(cpu, 50, now) is None, now
    assert t.current.state == "healthy"


def test_degraded_once_above_for_after_s() -> None:
    t = tracker()
    assert t.update(95, 50, 100.0) is None
    assert t.update(95, 50, 109.9) is None
    change = t.update(95, 50, 110.0)
    assert change is not None
    assert change.state == "degraded"
    assert change.components == {"cpu": "degraded", "memory": "healthy"}
    assert "cpu" in change.message
    assert t.current == change


def test_memory_has_its_own_threshold() -> None:
    t = tracker()
    assert t.update(10, 85, 0) is None  # 85 is above memory's 80, below cpu's 90
    change = t.update(10, 85, 10)
    assert change is not None and change.components == {"cpu": "healthy", "memory": "degraded"}


def test_stays_degraded_until_below_threshold_minus_margin_for_after_s() -> None:
    t = tracker()
    t.update(95, 50, 0)
    assert t.update(95, 50, 10) is not None
    # below the threshold but inside the margin (85..90): still degraded however long
    assert t.update(88, 50, 11) is None
    assert t.update(88, 50, 40) is None
    # below 85, but a sample back inside the margin restarts the clock
    assert t.update(84, 50, 41) is None
    assert t.update(84, 50, 50.9) is None
    assert t.update(86, 50, 51) is None
    assert t.update(84, 50, 52) is None
    assert t.update(84, 50, 61.9) is None
    assert t.current.state == "degraded"
    change = t.update(84, 50, 62)
    assert change is not None
    assert change.state == "healthy"
    assert change.components == {"cpu": "healthy", "memory": "healthy"}


def test_healthy_only_when_both_components_recovered() -> None:
    t = tracker()
    t.update(95, 90, 0)
    both = t.update(95, 90, 10)
    assert both is not None and both.components == {"cpu": "degraded", "memory": "degraded"}
    t.update(10, 90, 11)
    cpu_back = t.update(10, 90, 21)
    # a component change is a change even while the host stays degraded
    assert cpu_back is not None
    assert cpu_back.state == "degraded" and cpu_back.components == {"cpu": "healthy", "memory": "degraded"}
    t.update(10, 10, 22)
    assert t.update(10, 10, 32) is not None
    assert t.current.state == "healthy"


def test_reports_only_changes() -> None:
    t = tracker(after_s=2.0)
    cpu = [50] * 5 + [95] * 10 + [88] * 5 + [50] * 10 + [95] * 1 + [50] * 5
    changes = [c for now, value in enumerate(cpu) if (c := t.update(value, 50, float(now))) is not None]
    assert [c.state for c in changes] == ["degraded", "healthy"]


def test_zero_delay_switches_on_the_sample() -> None:
    t = tracker(after_s=0.0)
    assert t.update(95, 50, 0) is not None
    assert t.update(87, 50, 1) is None
    assert t.update(80, 50, 2) is not None


# -- sample building ---------------------------------------------------------------


def test_first_sample_has_gauges_and_no_rates(tmp_path: Path) -> None:
    process = psutil.Process(os.getpid())
    data, counters = build_sample(None, time.monotonic(), process, tmp_path)
    assert data.keys() >= GAUGES
    assert not RATES & data.keys()
    assert 0 <= data["memory.percent"] <= 100
    assert data["memory.used_bytes"] > 0 and data["process.rss_bytes"] > 0
    assert 0 <= data["disk.percent"] <= 100
    if hasattr(psutil, "getloadavg"):
        assert data.keys() >= LOAD
    assert isinstance(counters, Counters)


def test_second_sample_adds_non_negative_rates(tmp_path: Path) -> None:
    process = psutil.Process(os.getpid())
    _, first = build_sample(None, time.monotonic(), process, tmp_path)
    # some work and I/O so the rates have something to measure: until this process has used
    # 50 ms of CPU (wall time would not do on a loaded machine, where it may get none)
    busy_from = sum(process.cpu_times()[:2])
    deadline = time.monotonic() + 30
    while sum(process.cpu_times()[:2]) - busy_from < 0.05 and time.monotonic() < deadline:
        (tmp_path / "scratch").write_bytes(os.urandom(4096))
    data, second = build_sample(first, time.monotonic(), process, tmp_path)
    assert second.at > first.at
    expected = {"cpu.percent", "process.cpu_percent"}
    if psutil.disk_io_counters() is not None:
        expected |= {"disk.read_bps", "disk.write_bps"}
    if psutil.net_io_counters() is not None:
        expected |= {"net.rx_bps", "net.tx_bps"}
    assert expected <= data.keys()
    assert data.keys() >= GAUGES
    for name in expected:
        assert data[name] >= 0, name
    assert 0 <= data["cpu.percent"] <= 100
    assert data["process.cpu_percent"] > 0  # the loop above kept this process busy


def test_sample_is_a_valid_system_metrics_event(tmp_path: Path) -> None:
    process = psutil.Process(os.getpid())
    _, first = build_sample(None, time.monotonic(), process, tmp_path)
    data, _ = build_sample(first, time.monotonic() + 0.001, process, tmp_path)
    for value in data.values():
        assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    event = validate_event({"type": "system.metrics", "data": data}, None, "host/test", Limits())
    assert event.envelope["data"] == data


def test_disk_percent_of_a_missing_data_dir_uses_its_parent(tmp_path: Path) -> None:
    process = psutil.Process(os.getpid())
    data, _ = build_sample(None, time.monotonic(), process, tmp_path / "not" / "yet")
    assert data["disk.percent"] == psutil.disk_usage(str(tmp_path)).percent


def counters(at: float, disk: tuple[int, int] | None, net: tuple[int, int] | None) -> Counters:
    nics = {"eth0": net} if net is not None else None
    return Counters(at=at, cpu_busy=at * 0.5, cpu_total=at * 2, process_cpu=at * 0.1, disk=disk, net=nics)


def test_rates_are_deltas_per_second() -> None:
    out = rates(counters(10, (1000, 0), (0, 500)), counters(12, (5000, 2000), (300, 500)))
    assert out == {
        "cpu.percent": 25.0,
        "process.cpu_percent": 10.0,
        "disk.read_bps": 2000.0,
        "disk.write_bps": 1000.0,
        "net.rx_bps": 150.0,
        "net.tx_bps": 0.0,
        "net.eth0.rx_bytes_s": 150.0,
        "net.eth0.tx_bytes_s": 0.0,
    }


def test_rates_skip_missing_and_reset_counters() -> None:
    # disk_io_counters() is None in many containers; a counter going back was reset
    out = rates(counters(10, None, (1000, 1000)), counters(11, (5, 5), (10, 2000)))
    assert "disk.read_bps" not in out and "disk.write_bps" not in out
    assert "net.rx_bps" not in out
    assert out["net.tx_bps"] == 1000.0


def test_no_rates_without_elapsed_time() -> None:
    assert rates(counters(10, (0, 0), (0, 0)), counters(10, (5, 5), (5, 5))) == {}


def test_read_counters_reads_this_process(tmp_path: Path) -> None:
    process = psutil.Process(os.getpid())
    c = read_counters(process, 42.0)
    assert c.at == 42.0
    assert c.cpu_total > c.cpu_busy >= 0
    assert c.process_cpu > 0


# -- the thread, on a real hub --------------------------------------------------------


def statuses(hub: Hub) -> list[str]:
    return [e.body for e in hub.store.read_after(0, ("system.status",))]


def test_publishes_initial_status_and_stops_at_once(tmp_path: Path) -> None:
    # an hour between samples: stop() must not wait for the next one
    hub = Hub(Settings(data_dir=str(tmp_path), collector_interval=3600.0))
    try:
        wait_until(lambda: statuses(hub), message="initial system.status")
        assert '"state":"healthy"' in statuses(hub)[0]
        assert hub.health["source"].startswith("host/")
        assert hub.collector is not None
        started = time.monotonic()
        hub.collector.stop()
        assert time.monotonic() - started < 1.0
        hub.collector.stop()  # idempotent
        assert hub.store.read_after(0, ("system.metrics",)) == []
    finally:
        hub.close()


def test_publishes_metrics_every_interval(tmp_path: Path) -> None:
    hub = Hub(Settings(data_dir=str(tmp_path), collector_interval=0.05))
    try:

        def three_samples() -> list[StoredEvent] | None:
            events = hub.store.read_after(0, ("system.metrics",))
            return events if len(events) >= 3 else None

        events = wait_until(three_samples, message="three system.metrics events")
        assert '"cpu.percent"' in events[0].body  # the baseline taken at start gives rates on the first tick
        assert "cpu.percent" in hub.store.known_series()
        assert len(statuses(hub)) == 1  # health did not change, so no second status
    finally:
        hub.close()


def test_failing_publish_is_logged_and_the_loop_carries_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="hub.collector")
    hub = Hub(Settings(data_dir=str(tmp_path), collector_interval=0.02))
    try:
        wait_until(lambda: statuses(hub))
        hub.store.close()  # every publish now fails with Unavailable
        wait_until(
            lambda: sum("could not publish" in r.getMessage() for r in caplog.records) >= 3,
            message="three logged publish failures",
        )
        assert all(r.exc_info for r in caplog.records if "could not publish" in r.getMessage())
        assert hub.collector is not None and hub.collector._thread is not None
        assert hub.collector._thread.is_alive()
    finally:
        hub.close()
