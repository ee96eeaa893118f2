"""The Hub ties the parts together: store, bus, WebSocket sessions, collector.

``Hub(settings)`` opens the store and starts the background threads;
``init_app(server)`` mounts the REST blueprint and the /ws route on a Flask
server; ``close()`` stops everything (idempotent). It never imports Dash.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import orjson
from flask import Flask

from hub.access import Access, SocketWatch
from hub.access.gate import Gate
from hub.events.filter import EventFilter
from hub.events.model import AppendResult, Limits, StoredEvent
from hub.events.times import now_iso
from hub.events.validate import validate_batch
from hub.integrations.prom import HubMetrics
from hub.live.bus import Batch, InProcessBus, open_bus
from hub.live.session import ClientSession
from hub.live.staleness import mark_stalled
from hub.live.state import STATE_TYPES, LiveState
from hub.live.stream import shutdown_sessions
from hub.settings import Settings
from hub.storage.backends import lead, open_store

if TYPE_CHECKING:
    from hub.collector import HostCollector
    from hub.demo.player import Demo

logger = logging.getLogger(__name__)


class _StateFolder:
    """Subscribes the hub's live state and health to the shared bus (every process's commits)."""

    types: tuple[str, ...] = ()

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def deliver(self, batch: Batch) -> None:
        self.hub._fold(batch.events)


class Hub:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started = time.time()
        # accounts, sessions and API tokens (hub/access); its audit events go into the event store
        self.access = Access(settings, publish=lambda items: self.ingest(items, "auth"))
        self.gate = Gate(settings.tokens, settings.token_rate, self.access.ingest_token_name)
        self.limits = Limits(settings.max_body_bytes, settings.max_batch_events, settings.max_data_bytes)
        self.health: dict[str, Any] = {
            "state": "unknown",
            "message": "no system.status reported yet",
            "time": now_iso(),
        }
        self.sessions: set[ClientSession] = set()
        self.metrics = HubMetrics(self)  # GET /metrics
        self.shutting_down = threading.Event()
        self.state = LiveState()
        # several processes (--bus-url): each folds the shared stream, its own commits and the others' alike
        self.shared_bus = bool(settings.bus_url)
        self.store = open_store(settings, self._on_commit, self._on_write_health)
        self.bus = open_bus(settings, self.store)
        if isinstance(self.bus, InProcessBus):
            self.bus.on_flush = self.metrics.delivery_seconds.observe
        if self.shared_bus:
            self.bus.subscribe(_StateFolder(self))
        self.socket_watch = SocketWatch(self.access, self.sessions)
        self._restore_health()
        self._rebuild_state()  # before the collector starts, so that no commit lands meanwhile
        self.collector: HostCollector | None = None
        self.demo: Demo | None = None
        self._closed = False
        from hub.alerts.service import AlertService

        self.alerts = AlertService(settings, self.store, self.bus, self.ingest)  # evaluates only while leading
        # with several processes (--workers N, a shared store) only one runs the collector and the demo
        self.leadership = lead(settings, self._start_leading, self._stop_leading)

    def _start_leading(self) -> None:
        settings = self.settings
        self.alerts.lead()
        if settings.collector:
            from hub.collector import HostCollector

            self.collector = HostCollector(self, settings)
            self.collector.start()
        if settings.demo:
            from hub.demo.player import Demo

            # over HTTP like any service; the publisher retries until the socket answers
            host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
            host = f"[{host}]" if ":" in host else host
            self.demo = Demo(f"http://{host}:{settings.port}", token=settings.token or None).start()

    def _stop_leading(self) -> None:
        self.alerts.unlead()
        if self.demo is not None:
            self.demo.stop(timeout=1.0)
        if self.collector is not None:
            self.collector.stop()

    def _restore_health(self) -> None:
        last = self.store.read_before(self.store.last_seq + 1, ("system.status",), 1)
        if last:
            self._track_health(last)

    def _on_write_health(self, problem: str | None) -> None:
        """The store failed to write (or writes again): every page hears it at once, as a health frame."""
        health = self.current_health()
        for session in list(self.sessions):
            session.reply({"kind": "health", **health})

    def current_health(self) -> dict[str, Any]:
        """The reported health, degraded while the store cannot write."""
        health = self.reported_health()
        problem = self.store.write_error
        if problem is None:
            return health
        components = {**health.get("components", {}), "store": "degraded"}
        state = "down" if health.get("state") == "down" else "degraded"
        return {**health, "state": state, "message": problem, "components": components, "time": now_iso()}

    def reported_health(self) -> dict[str, Any]:
        """The last system.status. With several processes it is read from the shared store: a 202 means
        stored, but the bus may not have brought that report (this process's or another's) back yet."""
        if not self.shared_bus:
            return self.health
        try:
            last = self.store.read_before(self.store.last_seq + 1, ("system.status",), 1)
        except Exception as exc:
            logger.warning("could not read the last status from the store (%s); answering the folded one", exc)
            return self.health
        return self._health_of(last[-1]) if last else self.health

    def _rebuild_state(self) -> None:
        """Fold the stored events the live state reads; predictions only for their window."""
        window = self.state.bounds.prediction_window_s
        filters = (
            EventFilter(tuple(t for t in STATE_TYPES if t != "ml.prediction.result")),
            EventFilter(("ml.prediction.result",), since=time.time() - window),
        )
        for event_filter in filters:
            after = 0
            while page := self.store.read_after(after, event_filter, 5000):
                self.state.apply([orjson.loads(e.body) for e in page])
                after = page[-1].seq
        self.state.last_seq = self.store.last_seq

    def _on_commit(self, events: list[StoredEvent]) -> None:
        if not self.shared_bus:
            self._fold(events)
        self.bus.publish(events)

    def _fold(self, events: list[StoredEvent]) -> None:
        if events and events[0].seq <= self.state.last_seq:  # the shared bus may hand over what start-up read
            events = [e for e in events if e.seq > self.state.last_seq]
        if not events:
            return
        self._track_health(events)
        try:
            wanted = [orjson.loads(e.body) for e in events if LiveState.wants(e.type)]
            self.state.apply(wanted)
            self.state.last_seq = max(self.state.last_seq, events[-1].seq)
        except Exception:
            logger.exception("live state failed to fold a batch; the stream carries on")

    def _track_health(self, events: list[StoredEvent]) -> None:
        for event in events:
            if event.type == "system.status":
                self.health = self._health_of(event)

    @staticmethod
    def _health_of(event: StoredEvent) -> dict[str, Any]:
        body = orjson.loads(event.body)
        return {**body["data"], "time": body["time"], "source": body["source"]}

    def ingest(self, items: list[Any], source: str) -> AppendResult:
        """Validate a batch (all or nothing) and store it durably."""
        started = time.perf_counter()
        events = validate_batch(items, source, self.limits)
        result = self.store.append(events)
        self.metrics.ingested(events, time.perf_counter() - started)
        return result

    def publish(self, type_: str, data: dict[str, Any], source: str) -> AppendResult:
        return self.ingest([{"type": type_, "data": data}], source)

    def status(self) -> dict[str, Any]:
        return {
            "health": self.current_health(),
            "metrics": self.store.latest_values(),
            "uptime_s": round(time.time() - self.started, 3),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "clients": len(self.sessions),
            "last_seq": self.store.last_seq,
            "first_seq": self.store.first_seq(),
            "epoch": self.store.epoch,
            "server_time": now_iso(),
            "state": mark_stalled(self.state.snapshot(), time.time(), self.settings.stalled_after_s),
            "categories": self.store.categories(),
        }

    def init_app(self, server: Flask) -> None:
        from hub.access.web import install
        from hub.alerts.api import register_alerts
        from hub.api.routes import register_api
        from hub.api.socket import register_socket
        from hub.integrations.otlp import register_otlp
        from hub.integrations.prom import register_prometheus
        from hub.server import guard
        from hub.server.hostpolicy import HostPolicy

        policy = HostPolicy.from_settings(self.settings)
        guard.install(server, policy)  # first: its Host check answers before every other hook and route
        register_api(server, self)  # the REST routes under /api/
        register_alerts(server, self.alerts)  # /api/alerts
        register_socket(server, self, policy)  # /ws: its upgrade checks run before sign-in's
        install(server, self)  # then every request is authorized, before any route runs
        register_otlp(server, self)  # POST /v1/metrics, /v1/logs: OpenTelemetry in
        register_prometheus(server, self)  # GET /metrics: Prometheus out
        # The garbage collector, tuned for ingest. Everything imported so far (Dash, plotly, pandas,
        # Flask: over 100,000 objects) lives as long as the process; ingest allocates several objects
        # an event, so full collections came every few 1,000-event requests and each walked that heap
        # (~70 ms): a fifth of ingest time. Frozen, collections skip it. Young collections every 700
        # net allocations (the default) still ran every ~70 events over the requests in flight and
        # took a tenth of what remained; at 10,000 they are rare, and reference counting frees an
        # event's objects anyway (they hold no cycles).
        gc.freeze()
        gc.set_threshold(10_000, 10, 10)

    def shutdown_sockets(self) -> None:
        self.shutting_down.set()
        shutdown_sessions(self.sessions)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.leadership.close()
        self._stop_leading()
        self.shutdown_sockets()
        self.alerts.close()
        self.socket_watch.close()
        self.bus.close()
        self.store.close()
        self.access.close()
