"""Delivery: contact points (webhook, Slack-compatible webhook, e-mail), grouping, retries with backoff.

Notifications are rows of the outbox (written with the transition that caused
them, hub/alerts/repo.py). The leader's ``Deliverer`` thread sends what is due:
rows for the same contact point and group created within ``group_wait`` of each
other go out as one message (Alertmanager's grouping), each attempt is logged,
and a failed message is retried after ``retry_s * 2**(attempt-1)`` seconds (at
most five minutes apart) until ``max_attempts``, then marked failed.

The generic webhook body follows Alertmanager's webhook payload (``status``,
``receiver``, ``groupKey``, ``alerts`` with labels, annotations, startsAt,
endsAt), so receivers written for it read ours; the Slack body is an incoming
webhook's ``text`` plus one attachment per alert.
"""

from __future__ import annotations

import logging
import smtplib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import orjson
import requests

from hub.alerts.repo import AlertRepo
from hub.events.times import iso_ms

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 300.0
KEEP_LOG_S = 7 * 86400.0  # the delivery log keeps a week
TRIM_EVERY_S = 3600.0
SEND_TIMEOUT_S = 10.0
COLORS = {"critical": "#d9534f", "warning": "#f0ad4e", "info": "#5bc0de", "": "#5cb85c"}


@dataclass(frozen=True)
class ContactPoint:
    name: str
    kind: str  # webhook | slack | email
    url: str = ""
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 25
    sender: str = "mova-live@localhost"


@dataclass(frozen=True)
class DeliveryPolicy:
    group_wait_s: float = 0.0
    retry_s: float = 2.0
    max_attempts: int = 6


def webhook_body(point: ContactPoint, group: str, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    status = "firing" if any(a["state"] == "firing" for a in alerts) else "resolved"
    return {
        "version": "4",
        "receiver": point.name,
        "status": status,
        "groupKey": group,
        "groupLabels": {"group": group},
        "alerts": [
            {
                "status": "firing" if a["state"] == "firing" else "resolved",
                "labels": {"alertname": a["name"], "rule_id": a["rule_id"], "severity": a["severity"], "group": group},
                "annotations": {"summary": a["title"], "description": a["message"]},
                "startsAt": iso_ms(a["since"]),
                "endsAt": iso_ms(a["at"]) if a["state"] != "firing" else None,
                "value": a["value"],
                "state": a["state"],
                "repeat": a["repeat"],
            }
            for a in alerts
        ],
    }


def summary(group: str, alerts: list[dict[str, Any]]) -> str:
    firing = sum(a["state"] == "firing" for a in alerts)
    return f"[{'FIRING:' + str(firing) if firing else 'RESOLVED'}] MOVA Live alerts ({group})"


def slack_body(group: str, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "text": summary(group, alerts),
        "attachments": [
            {"color": COLORS.get(a["severity"], "#999999"), "title": a["title"], "text": a["message"]} for a in alerts
        ],
    }


def email_message(point: ContactPoint, smtp: Smtp, group: str, alerts: list[dict[str, Any]]) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = summary(group, alerts)
    message["From"] = smtp.sender
    message["To"] = ", ".join(point.to)
    lines = [f"{a['title']}\n  {a['message']}\n  since {iso_ms(a['since'])}" for a in alerts]
    message.set_content("\n\n".join(lines) + "\n")
    return message


def send(point: ContactPoint, smtp: Smtp, group: str, alerts: list[dict[str, Any]]) -> str:
    """Send one message; returns what the receiver said, raises on failure."""
    if point.kind == "email":
        if not smtp.host:
            raise RuntimeError("no SMTP server: set --smtp-host")
        with smtplib.SMTP(smtp.host, smtp.port, timeout=SEND_TIMEOUT_S) as client:
            refused = client.send_message(email_message(point, smtp, group, alerts))
        if refused:
            raise RuntimeError(f"recipients refused: {sorted(refused)}")
        return f"accepted by {smtp.host}:{smtp.port}"
    body = webhook_body(point, group, alerts) if point.kind == "webhook" else slack_body(group, alerts)
    response = requests.post(
        point.url,
        data=orjson.dumps(body),
        headers={"Content-Type": "application/json"},
        timeout=SEND_TIMEOUT_S,
        allow_redirects=False,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
    return f"HTTP {response.status_code}"


class Deliverer:
    """The leader's sending thread: due outbox rows, grouped, sent, logged, retried."""

    def __init__(
        self, repo: AlertRepo, points: dict[str, ContactPoint], smtp: Smtp, policy: DeliveryPolicy, tick_s: float
    ) -> None:
        self.repo = repo
        self.points = points
        self.smtp = smtp
        self.policy = policy
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts-delivery", daemon=True)

    def start(self) -> Deliverer:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        next_trim = 0.0
        while not self._stop.is_set():
            try:
                now = time.time()
                if now >= next_trim:
                    self.repo.trim_deliveries(now - KEEP_LOG_S)
                    next_trim = now + TRIM_EVERY_S
                self.deliver_due(now)
            except Exception:
                logger.exception("alert delivery pass failed; retrying on the next tick")
            self._wake.wait(self.tick_s)
            self._wake.clear()

    def deliver_due(self, now: float) -> int:
        """Send every due message once; the number of messages attempted."""
        groups: dict[tuple[str, str], list[tuple[Any, ...]]] = defaultdict(list)
        for row in self.repo.due(now):
            groups[(row[1], row[2])].append(row)
        sent = 0
        for (contact, group), rows in groups.items():
            if self._stop.is_set():
                break
            newest = max(r[7] for r in rows)
            if rows[0][5] == 0 and now - newest < self.policy.group_wait_s:
                continue  # still gathering alerts that fire together
            self._attempt(contact, group, rows)
            sent += 1
        return sent

    def _attempt(self, contact: str, group: str, rows: list[tuple[Any, ...]]) -> None:
        ids = [r[0] for r in rows]
        attempt = max(r[5] for r in rows) + 1
        point = self.points.get(contact)
        try:
            if point is None:
                raise RuntimeError(f"no contact point named {contact!r} is configured")
            detail = send(point, self.smtp, group, [orjson.loads(r[3]) for r in rows])
            ok = True
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        next_at: float | None = None
        if not ok and attempt < self.policy.max_attempts:
            next_at = time.time() + min(self.policy.retry_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
        (logger.info if ok else logger.warning)("alert delivery to %s attempt %d: %s", contact, attempt, detail)
        self.repo.attempted(ids, attempt, contact, ok, detail, next_at)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=SEND_TIMEOUT_S + 5)
