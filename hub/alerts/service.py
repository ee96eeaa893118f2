"""The alert service: rules in, states moved, ``alert`` events out, notifications queued.

Every process has one (the REST API of any process reads and writes the alert
tables); only the leader, the process that runs the host collector
(hub/storage/backends.py ``lead``), evaluates and delivers. Each evaluation, every
``--alert-interval-s``: reload the rules if their version moved, read a value
per rule (hub/alerts/readings.py), step each rule's state machine
(hub/alerts/machine.py), and write each transition with its future event and
its notifications in one guarded transaction (hub/alerts/repo.py); then publish
the events (deterministic ids: a republish after a crash is stored once) and
wake the deliverer. Silenced rules still change state and still show in the
stream (Alertmanager's silences mute notifications, not alerts).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from hub.alerts.db import AlertDb
from hub.alerts.delivery import ContactPoint, Deliverer, DeliveryPolicy, Smtp
from hub.alerts.loader import DEMO_RULES, load_rules_file
from hub.alerts.machine import RuleState, Transition, due_repeat, retire, step
from hub.alerts.readings import describe, read_values
from hub.alerts.repo import AlertRepo
from hub.alerts.rules import Rule, parse_rule
from hub.alerts.watch import EventWatch
from hub.errors import InvalidInput
from hub.events.filter import type_matches
from hub.settings import Settings

if TYPE_CHECKING:
    from hub.live.bus import Bus
    from hub.storage.interface import Store

logger = logging.getLogger(__name__)

SOURCE = "alerts"  # the source of every alert event the hub publishes


def contact_points(settings: Settings, from_file: list[ContactPoint]) -> dict[str, ContactPoint]:
    points: dict[str, ContactPoint] = {}
    if settings.alert_webhook_url:
        points["webhook"] = ContactPoint("webhook", "webhook", url=settings.alert_webhook_url)
    if settings.alert_slack_url:
        points["slack"] = ContactPoint("slack", "slack", url=settings.alert_slack_url)
    if settings.alert_email_to:
        points["email"] = ContactPoint("email", "email", to=settings.alert_email_to)
    return points | {p.name: p for p in from_file}


class AlertService:
    def __init__(self, settings: Settings, store: Store, bus: Bus, ingest: Callable[[list[Any], str], object]) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.ingest = ingest
        db = (
            AlertDb(pg_url=settings.store_url) if settings.store_url else AlertDb(settings.data_path / "alerts.sqlite3")
        )
        self.repo = AlertRepo(db)
        self.instance = self.repo.instance_id()
        rules_file = settings.rules_file_path if settings.rules_file else (DEMO_RULES if settings.demo else None)
        file_rules, file_points = load_rules_file(rules_file) if rules_file else ([], [])
        if rules_file:
            self.repo.provision(file_rules)
        self.points = contact_points(settings, file_points)
        self.smtp = Smtp(settings.smtp_host, settings.smtp_port, settings.smtp_from)
        self.watch = EventWatch()
        self.interval_s = settings.alert_interval_s
        self.rules: list[Rule] = []
        self._version = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.deliverer: Deliverer | None = None
        self.evaluations = 0
        self.last_evaluation_ms = 0.0

    # -- leading ---------------------------------------------------------------

    def lead(self) -> None:
        """Start evaluating and delivering (this process leads)."""
        self._stop.clear()
        self.rules, self._version = self.repo.rules(), self.repo.rules_version()
        self.watch = EventWatch()
        self.bus.subscribe(self.watch)  # subscribe first, then read the store: nothing falls between
        self.watch.seed(self.store, self.watch.watch(self.rules))
        policy = DeliveryPolicy(
            self.settings.alert_group_wait_s, self.settings.alert_retry_s, self.settings.alert_max_attempts
        )
        self.deliverer = Deliverer(self.repo, self.points, self.smtp, policy, min(self.interval_s, 1.0)).start()
        self._thread = threading.Thread(target=self._run, name="alerts-evaluator", daemon=True)
        self._thread.start()

    def unlead(self) -> None:
        """Stop evaluating and delivering (leadership lost, or closing). Safe to call twice."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        if self.deliverer is not None:
            self.deliverer.stop()
            self.deliverer = None
        self.bus.unsubscribe(self.watch)

    def close(self) -> None:
        self.unlead()
        self.repo.db.close()

    def _run(self) -> None:
        self._publish()  # what a crash left unpublished, first
        while not self._stop.wait(self.interval_s):
            try:
                self.evaluate(time.time())
            except Exception:
                logger.exception("alert evaluation failed; trying again next interval")

    # -- one evaluation -----------------------------------------------------------

    def _load_rules(self) -> None:
        version = self.repo.rules_version()
        if version != self._version:
            self.rules, self._version = self.repo.rules(), version
            self.watch.seed(self.store, self.watch.watch(self.rules))

    def evaluate(self, now: float) -> int:
        """Step every rule once; returns the number of transitions recorded."""
        started = time.perf_counter()
        self._load_rules()
        self.watch.trim(now)
        enabled = [r for r in self.rules if r.enabled]
        states = self.repo.states()
        values = read_values(self.store, self.watch, enabled, now)
        silences = self.repo.silences(active_only=True)
        recorded = 0
        by_id = {r.id: r for r in self.rules}
        for rule in enabled:
            current = states.get(rule.id, RuleState(rule.id))
            change = step(rule, current, values.get(rule.id), now)
            if change is not None:
                recorded += self._record(rule, change, silences)
            elif due_repeat(rule.repeat_s or self.settings.alert_repeat_s, current, now) and not self._silenced(
                rule, silences
            ):
                self.repo.repeat(rule, current, self._outbox(rule, Transition(current, current, True), True))
        for rule_id, current in states.items():
            known = by_id.get(rule_id)
            if known is not None and known.enabled:
                continue
            gone = known or Rule(rule_id, rule_id, "absence", type="alert", for_s=1)
            change = retire(current, now)
            if change is not None:
                recorded += self._record(gone, change, silences)
            if known is None:
                self.repo.forget(rule_id, change.after.n if change else current.n)
        self._publish()
        if self.deliverer is not None:
            self.deliverer.wake()
        self.evaluations += 1
        self.last_evaluation_ms = (time.perf_counter() - started) * 1000
        return recorded

    def _silenced(self, rule: Rule, silences: list[dict[str, Any]]) -> bool:
        for silence in silences:
            if silence["rule_id"] and silence["rule_id"] != rule.id:
                continue
            source = silence["source"]
            if source and source != rule.source and not (rule.series and type_matches(rule.series, (source,))):
                continue
            return True
        return False

    def _record(self, rule: Rule, change: Transition, silences: list[dict[str, Any]]) -> int:
        severity, title, message, resolved = describe(rule, change)
        silenced = self._silenced(rule, silences)
        after = change.after
        event = {
            "id": f"alert-{self.instance}-{rule.id}-{after.n}",
            "type": "alert",
            "data": {
                "severity": severity, "title": title, "message": message, "resolved": resolved,
                "rule_id": rule.id, "rule": rule.name, "state": after.state, "previous": change.before.state,
                "value": after.value, "group": rule.group, "silenced": silenced,
            },
        }  # fmt: skip
        outbox = self._outbox(rule, change, False) if change.notify and not silenced else []
        if not self.repo.record(rule, change, event, outbox):
            logger.warning("rule %s was moved by another evaluator; skipped", rule.id)
            return 0
        if after.n % 100 == 0:
            self.repo.trim_history(rule.id)
        return 1

    def _outbox(self, rule: Rule, change: Transition, repeat: bool) -> list[tuple[str, str]]:
        severity, title, message, _ = describe(rule, change) if not repeat else (
            change.after.severity, f"{rule.name} ({change.after.severity}), still firing", "", False
        )  # fmt: skip
        after = change.after
        alert = {
            "rule_id": rule.id, "name": rule.name, "state": after.state if after.state == "firing" else "resolved",
            "severity": severity, "value": after.value, "title": title, "message": message or rule.description,
            "since": change.before.since if after.state != "firing" else after.since, "at": time.time(),
            "repeat": repeat,
        }  # fmt: skip
        payload = orjson.dumps(alert).decode()
        names = rule.notify if rule.notify is not None else tuple(self.points)
        return [(name, payload) for name in names]

    def _publish(self) -> None:
        pending = self.repo.unpublished()
        if not pending:
            return
        try:
            self.ingest([event for _, event in pending], SOURCE)
        except Exception:
            logger.exception("could not publish %d alert events; they stay queued", len(pending))
            return
        self.repo.mark_published([hid for hid, _ in pending])

    # -- what the API asks --------------------------------------------------------

    def validate(self, raw: Any) -> Rule:
        """A rule from the API or the page, checked against this server's contact points too."""
        rule = parse_rule(raw)
        unknown = [n for n in rule.notify or () if n not in self.points]
        if unknown:
            names = sorted(self.points) or ["(none configured)"]
            raise InvalidInput(f"notify names unknown contact points {unknown}: known are {names}", field="notify")
        return rule

    def view(self, rule: Rule, states: dict[str, RuleState]) -> dict[str, Any]:
        """A rule as the API and the page show it: its fields and its current state."""
        state = states.get(rule.id, RuleState(rule.id))
        return {
            **rule.to_dict(),
            "status": {
                "state": state.state,
                "severity": state.severity,
                "since": state.since or None,
                "value": state.value,
                "acknowledged_by": state.acked_by or None,
                "acknowledged_at": state.acked_at or None,
            },
        }

    def views(self) -> list[dict[str, Any]]:
        states = self.repo.states()
        return [self.view(rule, states) for rule in self.repo.rules()]

    def status(self) -> dict[str, Any]:
        return {
            "leading": self._thread is not None,
            "interval_s": self.interval_s,
            "evaluations": self.evaluations,
            "last_evaluation_ms": round(self.last_evaluation_ms, 3),
            "rules": len(self.rules),
            "contact_points": [{"name": p.name, "type": p.kind} for p in self.points.values()],
        }
