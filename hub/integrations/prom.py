"""Prometheus out: GET /metrics, the hub's own health in the Prometheus text format.

Built on prometheus-client with one registry per hub. The live path does as
little as it can: ingest counts each request's events by (type, source) with
one C-level ``Counter`` over the batch and observes one histogram sample per
request; the bus observes one sample per flush. Everything else (sockets, client
queues, gaps, store size, retention, health, collector) is read when Prometheus
scrapes, by ``HubCollector``, never on the live path. With ``--workers N`` each
scrape is answered by the worker that took it (its own counters).

    mova_events_ingested_total{type, source}   events acknowledged by ingest (duplicates included)
    mova_ingest_duration_seconds               one ingest request: validation and durable commit
    mova_delivery_latency_seconds              commit to hand-over to every socket (in-process bus)
    mova_websocket_clients                     open sockets
    mova_client_queued_events / _max           events waiting for slow clients: all, and the worst one
    mova_gaps_sent_total                       gap frames sent to clients that fell behind
    mova_store_bytes                           SQLite file, WAL included
    mova_store_first_seq / mova_store_last_seq the stored range
    mova_oldest_event_age_seconds, mova_retention_lag_seconds (age past --retention-days)
    mova_store_writable, mova_health_state{state}, mova_collector_state{state}
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING

import orjson
from flask import Flask, Response, request
from prometheus_client import CollectorRegistry, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from hub.events.model import NewEvent
from hub.events.times import parse_time
from hub.live.session import GAPS_SENT

if TYPE_CHECKING:
    from hub.hub import Hub

MAX_LABEL_PAIRS = 1000  # producers choose types and sources: past this many pairs, new ones count as "other"
OTHER = ("other", "other")
HEALTH_STATES = ("healthy", "degraded", "down", "unknown")
COLLECTOR_STATES = ("running", "standby", "stopped", "off")
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_type_and_source = attrgetter("type", "source")


class HubMetrics:
    """What the live path records (cheaply), and the registry GET /metrics renders."""

    def __init__(self, hub: Hub) -> None:
        self.registry = CollectorRegistry()
        self.ingest_seconds = Histogram(
            "mova_ingest_duration_seconds",
            "Seconds one ingest request took from validation to durable commit",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.delivery_seconds = Histogram(
            "mova_delivery_latency_seconds",
            "Seconds from a batch's commit to its hand-over to every open socket (written, or queued for a slow one)",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._ingested: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self.registry.register(HubCollector(hub, self))
        ProcessCollector(registry=self.registry)  # CPU, memory, open files of this process

    def ingested(self, events: list[NewEvent], seconds: float) -> None:
        """Count one acknowledged request: one pass over the batch in C, then a few dict updates."""
        counts = Counter(map(_type_and_source, events))
        with self._lock:
            for key, n in counts.items():
                if key not in self._ingested and len(self._ingested) >= MAX_LABEL_PAIRS:
                    key = OTHER
                self._ingested[key] += n
        self.ingest_seconds.observe(seconds)

    def ingested_counts(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._ingested)


class HubCollector(Collector):
    """Reads the hub's state when Prometheus scrapes."""

    def __init__(self, hub: Hub, metrics: HubMetrics) -> None:
        self.hub = hub
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        hub = self.hub
        ingested = CounterMetricFamily(
            "mova_events_ingested", "Events acknowledged by ingest (duplicates included)", labels=["type", "source"]
        )
        for (type_, source), n in sorted(self.metrics.ingested_counts().items()):
            ingested.add_metric([type_, source], n)
        yield ingested

        sessions = list(hub.sessions)
        queued = [s.queued_events for s in sessions]
        yield GaugeMetricFamily("mova_websocket_clients", "Open WebSocket connections", value=len(sessions))
        yield GaugeMetricFamily("mova_client_queued_events", "Events queued for slow clients, all", value=sum(queued))
        yield GaugeMetricFamily(
            "mova_client_queued_events_max", "Events queued for the slowest client", value=max(queued, default=0)
        )
        yield CounterMetricFamily(
            "mova_gaps_sent", "Gap frames sent to clients that fell behind", value=GAPS_SENT.value
        )
        yield from self.store_metrics()
        yield from self.state_metrics()

    def store_metrics(self) -> Iterator[Metric]:
        store, settings = self.hub.store, self.hub.settings
        path = getattr(store, "path", None)
        if path is not None:  # SQLite: the database and its write-ahead log
            size = sum(os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}"))
            yield GaugeMetricFamily("mova_store_bytes", "Size of the SQLite store, WAL included", value=size)
        last_seq, first_seq = store.last_seq, store.first_seq()
        yield GaugeMetricFamily("mova_store_last_seq", "seq of the newest stored event", value=last_seq)
        yield GaugeMetricFamily("mova_store_first_seq", "seq of the oldest stored event", value=first_seq)
        oldest = store.read_after(first_seq - 1, (), 1)
        age = time.time() - parse_time(orjson.loads(oldest[0].body)["time"]).timestamp() if oldest else 0.0
        yield GaugeMetricFamily("mova_oldest_event_age_seconds", "Age of the oldest stored event", value=age)
        yield GaugeMetricFamily(
            "mova_retention_lag_seconds",
            "How far the oldest event is past --retention-days (0 while retention keeps up)",
            value=max(0.0, age - settings.retention_days * 86400),
        )
        yield GaugeMetricFamily(
            "mova_store_writable", "1 while the store takes writes", value=0 if store.write_error else 1
        )

    def state_metrics(self) -> Iterator[Metric]:
        hub = self.hub
        state = hub.current_health().get("state", "unknown")
        health = GaugeMetricFamily("mova_health_state", "1 for the hub's current health state", labels=["state"])
        for name in HEALTH_STATES:
            health.add_metric([name], 1 if state == name else 0)
        yield health
        collector = GaugeMetricFamily(
            "mova_collector_state",
            "1 for the host collector's state: running, standby (another process leads), stopped, off",
            labels=["state"],
        )
        current = collector_state(hub)
        for name in COLLECTOR_STATES:
            collector.add_metric([name], 1 if current == name else 0)
        yield collector


def collector_state(hub: Hub) -> str:
    if not hub.settings.collector:
        return "off"
    if hub.collector is None:
        return "standby" if not hub.leadership.leading else "stopped"
    return "running" if hub.collector.running else "stopped"


def register_prometheus(server: Flask, hub: Hub) -> None:
    @server.get("/metrics")
    def get_prometheus_metrics() -> Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return Response(encoder(hub.metrics.registry), content_type=content_type)
