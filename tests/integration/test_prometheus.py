"""Prometheus out: GET /metrics on the real server, checked by `promtool check metrics` and scraped by a
real Prometheus (Debian's `prometheus` package, `make prometheus-deps`) started on loopback.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.server import ServerProcess, free_port, wait_until
from tests.wsclient import StreamClient

pytestmark = pytest.mark.skipif(
    not (shutil.which("promtool") and shutil.which("prometheus")),
    reason="needs Debian's prometheus: make prometheus-deps",
)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path_factory.mktemp("prom") / "data", "--no-collector", "--client-queue-events", "10"
    ).start()
    try:
        yield server
    finally:
        server.stop()


def scrape(hub: ServerProcess) -> dict[str, float]:
    """The samples of one scrape, by name and labels as written."""
    answer = hub.get("/metrics")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def notify(n: int, source: str) -> list[dict]:
    return [{"type": "notification", "source": source, "data": {"level": "info", "title": f"n{i}"}} for i in range(n)]


def test_metrics_count_what_happened_and_pass_promtool(hub: ServerProcess) -> None:
    before = scrape(hub)
    assert hub.post(notify(3, "svc-a") + [{"type": "metrics.update", "data": {"q": 1}}]).status_code == 202
    assert hub.post(notify(2, "svc-b")).status_code == 202
    # a client that asked for one frame per 10 s: what comes after its first frame waits in its queue
    client = StreamClient(hub.ws_url, frame_ms=10_000)
    assert hub.post(notify(1, "svc-c")).status_code == 202
    assert client.next()["kind"] == "events"
    assert hub.post(notify(5, "svc-c")).status_code == 202
    queued = wait_until(lambda: scrape(hub)["mova_client_queued_events"] == 5 and scrape(hub), message="5 queued")
    assert queued["mova_websocket_clients"] == 1 and queued["mova_client_queued_events_max"] == 5
    assert hub.post(notify(6, "svc-c")).status_code == 202  # past --client-queue-events 10: a gap frame
    assert client.next()["kind"] == "gap"
    after = scrape(hub)

    def ingested(type_: str, source: str) -> float:
        key = f'mova_events_ingested_total{{source="{source}",type="{type_}"}}'
        return after.get(key, 0) - before.get(key, 0)

    assert ingested("notification", "svc-a") == 3 and ingested("notification", "svc-b") == 2
    assert ingested("metrics.update", "api") == 1 and ingested("notification", "svc-c") == 12
    assert after["mova_ingest_duration_seconds_count"] - before["mova_ingest_duration_seconds_count"] == 5
    assert after["mova_delivery_latency_seconds_count"] > before["mova_delivery_latency_seconds_count"]
    assert after["mova_gaps_sent_total"] - before["mova_gaps_sent_total"] == 1
    assert after["mova_client_queued_events"] == 0  # the gap dropped the backlog
    status = hub.get("/api/status").json()
    assert after["mova_store_last_seq"] == status["last_seq"] and after["mova_store_first_seq"] == 1
    assert after["mova_store_bytes"] > 0 and after["mova_store_writable"] == 1
    assert after['mova_collector_state{state="off"}'] == 1  # started with --no-collector
    assert after['mova_health_state{state="unknown"}'] == 1  # nothing reported a system.status
    assert 0 <= after["mova_oldest_event_age_seconds"] < 120 and after["mova_retention_lag_seconds"] == 0

    check = subprocess.run(
        ["promtool", "check", "metrics"], input=hub.get("/metrics").text, capture_output=True, text=True, timeout=30
    )
    assert check.returncode == 0 and check.stdout + check.stderr == "", check.stdout + check.stderr


def test_label_pairs_are_bounded(server: ServerProcess) -> None:
    """Producers choose types and sources: a flood of new ones cannot grow /metrics without end."""
    hub = server  # its own server: the flood fills the label pairs for good
    for start in range(0, 1100, 500):
        batch = [{"type": f"flood.t{i}", "source": "flood", "data": {}} for i in range(start, min(start + 500, 1100))]
        assert hub.post(batch).status_code == 202
    samples = scrape(hub)
    pairs = [k for k in samples if k.startswith("mova_events_ingested_total{")]
    assert len(pairs) == 1000 + 1  # the first thousand pairs, then one for all others
    assert samples['mova_events_ingested_total{source="other",type="other"}'] > 0


def test_a_real_prometheus_scrapes_the_hub(hub: ServerProcess, tmp_path: Path) -> None:
    assert hub.post(notify(4, "scraped")).status_code == 202
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        f"scrape_configs: [{{job_name: mova, static_configs: [{{targets: ['127.0.0.1:{hub.port}']}}]}}]\n"
    )
    log = (tmp_path / "prometheus.log").open("w")
    prometheus = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api/v1/query"

    def query(promql: str) -> list[dict]:
        try:
            answer = requests.get(api, params={"query": promql}, timeout=5)
        except requests.ConnectionError:
            return []
        return answer.json()["data"]["result"] if answer.status_code == 200 else []

    try:
        result = wait_until(
            lambda: query('mova_events_ingested_total{job="mova",type="notification",source="scraped"}'),
            timeout=60,
            interval=0.5,
            message="Prometheus to scrape the hub",
        )
        assert result[0]["value"][1] == "4"
        assert query('up{job="mova"}')[0]["value"][1] == "1"
        assert query('mova_health_state{job="mova",state="unknown"}')[0]["value"][1] == "1"
    finally:
        prometheus.send_signal(signal.SIGTERM)
        prometheus.wait(timeout=30)
        log.close()
        assert not re.search(r"level=error", (tmp_path / "prometheus.log").read_text())
