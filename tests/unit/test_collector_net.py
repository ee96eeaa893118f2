"""Network rates per interface and in total, loopback left out (hub.collector), on real psutil counters."""

from __future__ import annotations

import os
import socket
import threading
import time

import psutil

from hub.collector import Counters, external_interfaces, is_loopback, rates, read_counters


def counters(at: float, net: dict[str, tuple[int, int]]) -> Counters:
    return Counters(at=at, cpu_busy=0.0, cpu_total=0.0, process_cpu=0.0, disk=None, net=net)


def test_rates_per_interface_and_totals() -> None:
    out = rates(
        counters(10, {"eth0": (1000, 0), "wlan0": (0, 0), "br@x.1": (5, 5)}),
        counters(12, {"eth0": (3000, 400), "wlan0": (200, 0), "br@x.1": (5, 9), "new0": (1, 1)}),
    )
    assert out["net.eth0.rx_bytes_s"] == 1000.0 and out["net.eth0.tx_bytes_s"] == 200.0
    assert out["net.wlan0.rx_bytes_s"] == 100.0 and out["net.br_x_1.tx_bytes_s"] == 2.0
    assert out["net.rx_bps"] == 1100.0 and out["net.tx_bps"] == 202.0
    assert not any(name.startswith("net.new0") for name in out)  # no rate before its second reading
    # a counter that went back (a reset): no rate for it, and no total that would silently leave it out
    reset = rates(
        counters(10, {"eth0": (1000, 0), "eth1": (50, 50)}), counters(11, {"eth0": (10, 5), "eth1": (60, 60)})
    )
    assert "net.eth0.rx_bytes_s" not in reset and "net.rx_bps" not in reset
    assert reset["net.tx_bps"] == 15.0 and reset["net.eth1.rx_bytes_s"] == 10.0


def test_loopback_is_known_by_its_flag_or_name() -> None:
    stats = psutil.net_if_stats()
    assert all(not is_loopback(name, stats[name]) for name in external_interfaces(psutil.net_io_counters(True)))
    if "lo" in stats:
        assert is_loopback("lo", stats["lo"]) and "lo" not in external_interfaces(psutil.net_io_counters(True))
    assert is_loopback("lo", None) and is_loopback("lo0", None) and not is_loopback("eth0", None)


def test_traffic_over_loopback_is_not_network_traffic() -> None:
    # 32 MiB through a loopback socket between two readings: the totals must not see it (In != Out = local)
    payload = os.urandom(1 << 20)
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def sink() -> None:
        conn, _ = server.accept()
        with conn:
            total = 0
            while chunk := conn.recv(1 << 20):
                total += len(chunk)
            received.append(total)

    before = read_counters(psutil.Process(), time.monotonic())
    thread = threading.Thread(target=sink)
    thread.start()
    with socket.create_connection(server.getsockname()) as client:
        for _ in range(32):
            client.sendall(payload)
    thread.join(timeout=30)
    server.close()
    after = read_counters(psutil.Process(), time.monotonic() + 1e-3)
    assert received == [32 << 20]
    out = rates(before, after)
    seconds = after.at - before.at
    assert "net.lo.rx_bytes_s" not in out
    if "net.rx_bps" in out:  # a host with no other interface has no network series at all
        assert out["net.rx_bps"] * seconds < 16 << 20 and out["net.tx_bps"] * seconds < 16 << 20
