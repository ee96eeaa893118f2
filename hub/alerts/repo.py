"""The alert tables and every statement on them: rules, states, history, silences, outbox, attempts.

One repository for both backends (hub/alerts/db.py gives the connection); only
the table definitions differ. Durability rests on two choices:

- a state change, its history row (the future ``alert`` event) and its
  notifications are written in one transaction, guarded by the state's
  transition counter ``n`` (``UPDATE ... WHERE n = ?``): two evaluators that
  overlap during a failover cannot both record, or both notify, one transition;
- the ``alert`` event gets a deterministic id (``alert-<rule>-<n>``) and is
  published after the commit, marked published after; a crash in between
  publishes it again on the next start, and the store's idempotency key
  (source, id) stores it once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import astuple, fields
from typing import Any

import orjson

from hub.alerts.db import AlertDb
from hub.alerts.machine import RuleState, Transition
from hub.alerts.rules import Rule, parse_rule

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_rules (id TEXT PRIMARY KEY, body TEXT NOT NULL, origin TEXT NOT NULL, updated {real} NOT NULL);
CREATE TABLE IF NOT EXISTS alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_state (
    rule_id TEXT PRIMARY KEY, state TEXT NOT NULL, severity TEXT NOT NULL, since {real} NOT NULL, value {real},
    n INTEGER NOT NULL, last_notified {real} NOT NULL, acked_by TEXT NOT NULL, acked_at {real} NOT NULL);
CREATE TABLE IF NOT EXISTS alert_history (
    id {serial}, rule_id TEXT NOT NULL, n INTEGER NOT NULL, at {real} NOT NULL, before TEXT NOT NULL,
    state TEXT NOT NULL, severity TEXT NOT NULL, value {real}, who TEXT NOT NULL, event TEXT NOT NULL,
    published INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alert_history_rule ON alert_history (rule_id, id);
CREATE INDEX IF NOT EXISTS alert_history_unpublished ON alert_history (published, id);
CREATE TABLE IF NOT EXISTS alert_silences (
    id {serial}, rule_id TEXT NOT NULL, source TEXT NOT NULL, starts {real} NOT NULL, ends {real} NOT NULL,
    reason TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id {serial}, contact TEXT NOT NULL, grp TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL, next_at {real} NOT NULL, created {real} NOT NULL, done_at {real});
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox (status, next_at);
CREATE TABLE IF NOT EXISTS alert_attempts (
    id {serial}, outbox_id INTEGER NOT NULL, batch INTEGER NOT NULL, attempt INTEGER NOT NULL, at {real} NOT NULL,
    contact TEXT NOT NULL, ok INTEGER NOT NULL, detail TEXT NOT NULL)
"""
SQLITE_TYPES = {"real": "REAL", "serial": "INTEGER PRIMARY KEY"}
PG_TYPES = {"real": "DOUBLE PRECISION", "serial": "BIGSERIAL PRIMARY KEY"}
STATE_COLUMNS = ", ".join(f.name for f in fields(RuleState))
HISTORY_COLUMNS = "id, rule_id, n, at, before, state, severity, value, who, event"
OUTBOX_COLUMNS = "id, contact, grp, payload, status, attempts, next_at, created, done_at"
MAX_HISTORY_PER_RULE = 1000  # older transitions are trimmed when a rule passes this


class AlertRepo:
    def __init__(self, db: AlertDb) -> None:
        self.db = db
        db.script(SCHEMA.format(**(PG_TYPES if db.postgres else SQLITE_TYPES)))

    def instance_id(self) -> str:
        """A random id made once per set of alert tables: part of every alert event's id, so that new tables
        (a wiped data dir) never make ids the store has already seen."""
        with self.db.transaction() as run:
            run(
                "INSERT INTO alert_meta (key, value) VALUES ('instance', ?) ON CONFLICT (key) DO NOTHING",
                (uuid.uuid4().hex[:8],),
            )
            return str(run("SELECT value FROM alert_meta WHERE key = 'instance'")[0][0])

    # -- rules ------------------------------------------------------------------

    def rules_version(self) -> str:
        rows = self.db.query("SELECT value FROM alert_meta WHERE key = 'rules_version'")
        return str(rows[0][0]) if rows else "0"

    def _bump(self, run: Any) -> None:
        run(
            "INSERT INTO alert_meta (key, value) VALUES ('rules_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (f"{time.time():.6f}",),
        )

    def rules(self) -> list[Rule]:
        rows = self.db.query("SELECT body, origin FROM alert_rules ORDER BY id")
        return [parse_rule(orjson.loads(body), origin) for body, origin in rows]

    def rule(self, rule_id: str) -> Rule | None:
        rows = self.db.query("SELECT body, origin FROM alert_rules WHERE id = ?", (rule_id,))
        return parse_rule(orjson.loads(rows[0][0]), rows[0][1]) if rows else None

    def put_rule(self, rule: Rule, create_only: bool = False) -> bool:
        """Insert or replace; with create_only, False when the id is taken (nothing written)."""
        body = orjson.dumps(rule.to_dict()).decode()
        with self.db.transaction() as run:
            if create_only and run("SELECT 1 FROM alert_rules WHERE id = ?", (rule.id,)):
                return False
            run(
                "INSERT INTO alert_rules (id, body, origin, updated) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET body = excluded.body, origin = excluded.origin, updated = excluded.updated",
                (rule.id, body, rule.origin, time.time()),
            )
            self._bump(run)
        return True

    def delete_rule(self, rule_id: str) -> bool:
        with self.db.transaction() as run:
            found = bool(run("SELECT 1 FROM alert_rules WHERE id = ?", (rule_id,)))
            run("DELETE FROM alert_rules WHERE id = ?", (rule_id,))
            self._bump(run)
        return found

    def provision(self, rules: list[Rule]) -> None:
        """The rules file's rules replace the previous file's (rules made over the API stay)."""
        with self.db.transaction() as run:
            ids = [r.id for r in rules]
            for (rule_id,) in run("SELECT id FROM alert_rules WHERE origin = 'file'"):
                if rule_id not in ids:
                    run("DELETE FROM alert_rules WHERE id = ?", (rule_id,))
            for rule in rules:
                run(
                    "INSERT INTO alert_rules (id, body, origin, updated) VALUES (?, ?, 'file', ?) ON CONFLICT (id) "
                    "DO UPDATE SET body = excluded.body, origin = 'file', updated = excluded.updated",
                    (rule.id, orjson.dumps(rule.to_dict()).decode(), time.time()),
                )
            self._bump(run)

    # -- states -----------------------------------------------------------------

    def states(self) -> dict[str, RuleState]:
        rows = self.db.query(f"SELECT {STATE_COLUMNS} FROM alert_state")
        return {row[0]: RuleState(*row) for row in rows}

    def record(self, rule: Rule, change: Transition, event: dict[str, Any], outbox: list[tuple[str, str]]) -> bool:
        """Write one transition with its history row and notifications; False if another evaluator moved first."""
        after, now = change.after, time.time()
        marks = ", ".join("?" * len(fields(RuleState)))
        with self.db.transaction() as run:
            if change.before.n == 0:
                taken = run("SELECT 1 FROM alert_state WHERE rule_id = ?", (rule.id,))
                if taken:
                    return False
                run(f"INSERT INTO alert_state ({STATE_COLUMNS}) VALUES ({marks})", astuple(after))
            else:
                sets = ", ".join(f"{f.name} = ?" for f in fields(RuleState)[1:])
                moved = run(
                    f"UPDATE alert_state SET {sets} WHERE rule_id = ? AND n = ? RETURNING rule_id",
                    (*astuple(after)[1:], rule.id, change.before.n),
                )
                if not moved:
                    return False
            self._history(run, rule.id, after.n, change.before.state, after, "", event)
            for contact, payload in outbox:
                self._enqueue(run, contact, rule.group, payload, now)
        return True

    def _history(self, run: Any, rule_id: str, n: int, before: str, after: RuleState, who: str, event: Any) -> None:
        run(
            "INSERT INTO alert_history (rule_id, n, at, before, state, severity, value, who, event, published) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rule_id, n, time.time(), before, after.state, after.severity, after.value, who,
             orjson.dumps(event).decode() if event else "", 0 if event else 1),
        )  # fmt: skip

    def forget(self, rule_id: str, n: int) -> None:
        """Drop the state of a deleted rule (its resolution was recorded first)."""
        with self.db.transaction() as run:
            run("DELETE FROM alert_state WHERE rule_id = ? AND n = ?", (rule_id, n))

    def repeat(self, rule: Rule, state: RuleState, outbox: list[tuple[str, str]]) -> bool:
        """Queue a repeat notification of a firing rule, once (guarded like ``record``)."""
        now = time.time()
        with self.db.transaction() as run:
            moved = run(
                "UPDATE alert_state SET last_notified = ? WHERE rule_id = ? AND n = ? AND last_notified = ? "
                "RETURNING rule_id",
                (now, rule.id, state.n, state.last_notified),
            )
            if not moved:
                return False
            for contact, payload in outbox:
                self._enqueue(run, contact, rule.group, payload, now)
        return True

    def acknowledge(self, rule_id: str, who: str) -> RuleState | None:
        """Acknowledge the rule's current firing: no repeats until it resolves. None when it is not firing."""
        now = time.time()
        with self.db.transaction() as run:
            rows = run(f"SELECT {STATE_COLUMNS} FROM alert_state WHERE rule_id = ?", (rule_id,))
            if not rows or rows[0][1] != "firing":
                return None
            run("UPDATE alert_state SET acked_by = ?, acked_at = ? WHERE rule_id = ?", (who, now, rule_id))
            state = RuleState(*rows[0])
            acked = RuleState(**{**state.__dict__, "acked_by": who, "acked_at": now})
            self._history(run, rule_id, state.n, "firing", acked, who, None)
        return acked

    # -- history and its events ----------------------------------------------------

    def history(self, rule_id: str, limit: int) -> list[dict[str, Any]]:
        rows = self.db.query(
            f"SELECT {HISTORY_COLUMNS} FROM alert_history WHERE rule_id = ? ORDER BY id DESC LIMIT ?", (rule_id, limit)
        )
        out = []
        for hid, rid, n, at, before, state, severity, value, who, _event in rows:
            out.append(
                {"id": hid, "rule_id": rid, "n": n, "at": at, "from": before, "to": state, "severity": severity,
                 "value": value, "acknowledged_by": who or None}
            )  # fmt: skip
        return out

    def unpublished(self, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        rows = self.db.query("SELECT id, event FROM alert_history WHERE published = 0 ORDER BY id LIMIT ?", (limit,))
        return [(hid, orjson.loads(event)) for hid, event in rows]

    def mark_published(self, ids: list[int]) -> None:
        with self.db.transaction() as run:
            for hid in ids:
                run("UPDATE alert_history SET published = 1 WHERE id = ?", (hid,))

    def trim_history(self, rule_id: str) -> None:
        with self.db.transaction() as run:
            run(
                "DELETE FROM alert_history WHERE rule_id = ? AND published = 1 AND id <= (SELECT id FROM alert_history "
                "WHERE rule_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (rule_id, rule_id, MAX_HISTORY_PER_RULE),
            )

    # -- silences ---------------------------------------------------------------

    def add_silence(self, rule_id: str, source: str, ends: float, reason: str, who: str) -> dict[str, Any]:
        now = time.time()
        with self.db.transaction() as run:
            rows = run(
                "INSERT INTO alert_silences (rule_id, source, starts, ends, reason, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (rule_id, source, now, ends, reason, who),
            )
        return {"id": rows[0][0], "rule_id": rule_id or None, "source": source or None, "starts": now, "ends": ends,
                "reason": reason, "created_by": who}  # fmt: skip

    def silences(self, active_only: bool = False) -> list[dict[str, Any]]:
        where = "WHERE ends > ?" if active_only else "WHERE ends > ? - 86400"
        rows = self.db.query(
            f"SELECT id, rule_id, source, starts, ends, reason, created_by FROM alert_silences {where} ORDER BY id",
            (time.time(),),
        )
        return [
            {"id": i, "rule_id": r or None, "source": s or None, "starts": st, "ends": e, "reason": why,
             "created_by": who}
            for i, r, s, st, e, why, who in rows
        ]  # fmt: skip

    def end_silence(self, silence_id: int) -> bool:
        with self.db.transaction() as run:
            found = run("SELECT 1 FROM alert_silences WHERE id = ? AND ends > ?", (silence_id, time.time()))
            run("UPDATE alert_silences SET ends = ? WHERE id = ? AND ends > ?", (time.time(), silence_id, time.time()))
        return bool(found)

    # -- outbox and delivery log -------------------------------------------------------

    def _enqueue(self, run: Any, contact: str, group: str, payload: str, now: float) -> None:
        run(
            "INSERT INTO alert_outbox (contact, grp, payload, status, attempts, next_at, created) "
            "VALUES (?, ?, ?, 'pending', 0, ?, ?)",
            (contact, group, payload, now, now),
        )

    def trim_deliveries(self, older_than: float) -> None:
        """Forget finished notifications (and their attempts) older than a time: the log stays bounded."""
        with self.db.transaction() as run:
            run(
                "DELETE FROM alert_attempts WHERE outbox_id IN "
                "(SELECT id FROM alert_outbox WHERE status <> 'pending' AND done_at < ?)",
                (older_than,),
            )
            run("DELETE FROM alert_outbox WHERE status <> 'pending' AND done_at < ?", (older_than,))
            run("DELETE FROM alert_silences WHERE ends < ?", (older_than,))

    def active_silences(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM alert_silences WHERE ends > ?", (time.time(),))[0][0])

    def due(self, now: float, limit: int = 100) -> list[tuple[Any, ...]]:
        return self.db.query(
            f"SELECT {OUTBOX_COLUMNS} FROM alert_outbox WHERE status = 'pending' AND next_at <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )

    def attempted(
        self, outbox_ids: list[int], attempt: int, contact: str, ok: bool, detail: str, next_at: float | None
    ) -> None:
        """Log one attempt of one message (the rows grouped into it); sent, failed for good (next_at None),
        or due again at next_at."""
        now = time.time()
        status = "sent" if ok else ("failed" if next_at is None else "pending")
        with self.db.transaction() as run:
            for outbox_id in outbox_ids:
                run(
                    "INSERT INTO alert_attempts (outbox_id, batch, attempt, at, contact, ok, detail) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (outbox_id, outbox_ids[0], attempt, now, contact, int(ok), detail[:500]),
                )
                run(
                    "UPDATE alert_outbox SET status = ?, attempts = ?, next_at = ?, done_at = ? WHERE id = ?",
                    (status, attempt, next_at or now, None if status == "pending" else now, outbox_id),
                )

    def deliveries(self, limit: int, rule_id: str = "") -> list[dict[str, Any]]:
        rows = self.db.query(f"SELECT {OUTBOX_COLUMNS} FROM alert_outbox ORDER BY id DESC LIMIT ?", (limit,))
        ids = [r[0] for r in rows]
        attempts: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            marks = ",".join("?" * len(ids))
            for oid, batch, attempt, at, ok, detail in self.db.query(
                "SELECT outbox_id, batch, attempt, at, ok, detail FROM alert_attempts "
                f"WHERE outbox_id IN ({marks}) ORDER BY id",
                ids,
            ):
                attempts[oid].append({"attempt": attempt, "message": batch, "at": at, "ok": bool(ok), "detail": detail})
        out = []
        for oid, contact, grp, payload, status, _n, next_at, created, done_at in rows:
            alert = orjson.loads(payload)
            if rule_id and alert["rule_id"] != rule_id:
                continue
            out.append(
                {"id": oid, "contact": contact, "group": grp, "status": status, "attempts": attempts[oid],
                 "created": created, "next_at": next_at if status == "pending" else None, "done_at": done_at,
                 "alert": {k: alert[k] for k in ("rule_id", "state", "severity", "repeat")}}
            )  # fmt: skip
        return out
