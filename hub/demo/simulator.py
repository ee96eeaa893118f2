"""The simulator: MOVA-like activity, deterministic given its Random, with no server.

``Simulator`` is pure: ``next_events(now)`` advances its world to simulated
time ``now`` with its own ``random.Random`` and returns the events that
happened, as (type, data) pairs. Training jobs with decaying loss that complete
(or now and then fail) and publish a model version, predictions with a skewed
latency, uploads and downloads, users coming and going, plugins, business
metrics, notifications and a rare alert that resolves later. Tests replay it
with a fixed seed and validate every event without a server.
"""

from __future__ import annotations

import math
import random
from typing import Any

from hub.demo.world import (
    ACTIONS,
    ALERTS,
    FILES,
    JOB_MODELS,
    JOB_NAMES,
    NOTES,
    PLUGINS,
    SERVING,
    USERS,
    Event,
    Job,
    Transfer,
    World,
)


class Simulator:
    """A deterministic (given its Random) little world of ML and data services."""

    def __init__(self, rng: random.Random, start: float = 0.0) -> None:
        self.rng = rng
        self.start = start
        self.now = start
        self.w = World(next_job_at=start, next_transfer_at=start + 1, next_metrics_at=start)
        self.w.next_note_at = start + rng.uniform(15, 30)
        self.w.next_plugin_at = start + rng.uniform(20, 40)
        self.w.next_alert_at = start + rng.uniform(60, 120)
        self._started = False

    def next_events(self, now: float) -> list[Event]:
        """Advance to simulated time ``now`` (seconds) and return what happened meanwhile."""
        dt = max(0.0, now - self.now)
        self.now = now
        out: list[Event] = []
        if not self._started:
            self._started = True
            out += self._opening()
        out += self._jobs(now)
        out += self._predictions(dt)
        out += self._transfers(now, dt)
        out += self._users(dt)
        out += self._plugins(now)
        out += self._metrics(now)
        out += self._notes_and_alerts(now)
        return out

    # -- the parts -----------------------------------------------------------------

    def _opening(self) -> list[Event]:
        """A first burst so that every panel has something at once."""
        out: list[Event] = [
            ("notification", {"level": "info", "title": "Demo started", "message": "Simulated activity."})
        ]
        for plugin, version in PLUGINS.items():
            out.append(("plugin.status", {"plugin": plugin, "state": "active", "message": f"v{version} loaded"}))
        for user in self.rng.sample(USERS, 3):
            self.w.presence[user] = "online"
            out.append(("user.presence", {"user": user, "state": "online"}))
        for model in SERVING:
            self.w.versions[model] = 1
            out.append(("ml.model.update", {"model": model, "version": "v1", "stage": "production"}))
        return out

    def _new_job(self, now: float) -> Job:
        rng = self.rng
        name = rng.choice([n for n in JOB_NAMES if n not in self.w.jobs])
        loss0 = rng.uniform(1.5, 2.5)
        return Job(
            name=name,
            epochs=rng.randint(5, 15),
            epoch_s=rng.uniform(4, 12),
            started=now,
            loss0=loss0,
            loss_floor=rng.uniform(0.05, 0.3),
            decay=rng.uniform(0.25, 0.6),
            acc_max=rng.uniform(0.85, 0.97),
            fail_at=rng.uniform(0.2, 0.8) if rng.random() < 0.15 else None,
            next_report=now,
        )

    def _jobs(self, now: float) -> list[Event]:
        rng, w, out = self.rng, self.w, list[Event]()
        while len(w.jobs) < 2 or (len(w.jobs) < 3 and now >= w.next_job_at):
            job = self._new_job(now)
            w.jobs[job.name] = job
            w.next_job_at = now + rng.uniform(20, 60)
        for job in list(w.jobs.values()):
            if now < job.next_report:
                continue
            job.next_report = now + rng.uniform(1.5, 2.5)
            progress = min(1.0, (now - job.started) / job.duration)
            failed = job.fail_at is not None and progress >= job.fail_at
            if failed:
                progress = job.fail_at or progress
            x = progress * job.epochs  # epochs done, fractional
            noise = rng.gauss(0, 0.03)
            loss = job.loss_floor + (job.loss0 - job.loss_floor) * math.exp(-job.decay * x) * (1 + noise)
            accuracy = min(0.999, max(0.0, job.acc_max * (1 - math.exp(-0.5 * job.decay * x - 0.2)) + noise / 3))
            state = "failed" if failed else "completed" if progress >= 1.0 else "running"
            data: dict[str, Any] = {
                "job": job.name,
                "state": state,
                "progress": round(progress, 4),
                "epoch": min(job.epochs, int(x) + (0 if state != "running" else 1)),
                "epochs": job.epochs,
                "loss": round(max(loss, 0.0), 4),
                "accuracy": round(accuracy, 4),
                "eta_s": round(max(0.0, job.duration - (now - job.started)), 1) if state == "running" else 0,
                "model": JOB_MODELS[job.name],
            }
            if state == "failed":
                del data["eta_s"]  # a failed job has no time left, and none to wait for either
            out.append(("ml.training.progress", data))
            if state == "running":
                continue
            del w.jobs[job.name]
            w.next_job_at = now + rng.uniform(3, 10)  # a queued job takes the free slot soon
            if state == "completed":
                model = JOB_MODELS[job.name]
                version = w.versions.get(model, 0) + 1
                w.versions[model] = version
                metrics = {"loss": data["loss"], "accuracy": data["accuracy"]}
                out.append(
                    (
                        "ml.model.update",
                        {"model": model, "version": f"v{version}", "stage": "staging", "metrics": metrics},
                    )
                )
                out.append(
                    (
                        "notification",
                        {
                            "level": "success",
                            "title": f"Training finished: {job.name}",
                            "message": f"{model} v{version} is in staging (accuracy {data['accuracy']:.3f}).",
                        },
                    )
                )
            else:
                out.append(
                    (
                        "notification",
                        {
                            "level": "error",
                            "title": f"Training failed: {job.name}",
                            "message": f"CUDA out of memory at epoch {data['epoch']}.",
                        },
                    )
                )
        return out

    def _predictions(self, dt: float) -> list[Event]:
        rng, out = self.rng, list[Event]()
        count = min(50, self._poisson(3.0 * dt))
        for _ in range(count):
            model = rng.choice(list(SERVING))
            median, labels = SERVING[model]
            latency = median * math.exp(rng.gauss(0, 0.45))  # log-normal: a long right tail, as in life
            if rng.random() < 0.02:
                latency *= rng.uniform(4, 10)  # the occasional cold cache
            data = {
                "model": model,
                "latency_ms": round(latency, 2),
                "label": rng.choice(labels),
                "confidence": round(rng.betavariate(8, 2), 3),
            }
            out.append(("ml.prediction.result", data))
        return out

    def _transfers(self, now: float, dt: float) -> list[Event]:
        rng, w, out = self.rng, self.w, list[Event]()
        if now >= w.next_transfer_at and len(w.transfers) < 3:
            w.transfer_count += 1
            direction = rng.choice(("upload", "download"))
            transfer = Transfer(
                key=f"tr-{w.transfer_count:05d}",
                direction=direction,
                name=rng.choice(FILES),
                total=rng.randint(5, 800) * 1_000_000,
                rate=rng.uniform(5, 60) * 1_000_000,
                user=rng.choice(USERS),
                fails=rng.random() < 0.08,
                next_report=now,
            )
            w.transfers[transfer.key] = transfer
            w.next_transfer_at = now + rng.uniform(4, 15)
        for t in list(w.transfers.values()):
            t.done = min(float(t.total), t.done + t.rate * dt * rng.uniform(0.7, 1.3))
            if now < t.next_report and t.done < t.total:
                continue
            t.next_report = now + 1.0
            state = "completed" if t.done >= t.total else "running"
            if t.fails and t.done > t.total / 2:
                state = "failed"
            data = {"transfer": t.key, "name": t.name, "bytes": int(t.done), "total": t.total, "state": state}
            out.append((f"file.{t.direction}.progress", data))
            if state != "running":
                del w.transfers[t.key]
                op = {"op": t.direction, "path": t.name, "status": "ok" if state == "completed" else "failed"}
                out.append(("file.operation", {**op, "size": int(t.done), "user": t.user}))
        if rng.random() < 0.05 * dt:
            verb = rng.choice(("delete", "rename", "read", "checksum"))
            out.append(
                ("file.operation", {"op": verb, "path": rng.choice(FILES), "status": "ok", "user": rng.choice(USERS)})
            )
        return out

    def _users(self, dt: float) -> list[Event]:
        rng, w, out = self.rng, self.w, list[Event]()
        # per-second chances of each move; rare enough that people stay a while
        moves = {
            "offline": (("online", 0.02),),
            "online": (("away", 0.015), ("offline", 0.008)),
            "away": (("online", 0.04), ("offline", 0.01)),
        }
        for user in USERS:
            state = w.presence.get(user, "offline")
            for target, per_s in moves[state]:
                if rng.random() < per_s * dt:
                    w.presence[user] = target
                    out.append(("user.presence", {"user": user, "state": target}))
                    if target == "online" and state == "offline":
                        out.append(("user.activity", {"user": user, "action": "logged in"}))
                    break
            if w.presence.get(user) == "online" and rng.random() < 0.03 * dt:
                action, target_text = rng.choice(ACTIONS)
                out.append(("user.activity", {"user": user, "action": action, "target": target_text}))
        return out

    def _plugins(self, now: float) -> list[Event]:
        rng, w = self.rng, self.w
        if now < w.next_plugin_at:
            return []
        w.next_plugin_at = now + rng.uniform(25, 60)
        plugin = rng.choice(list(PLUGINS))
        if w.plugin_states[plugin] != "active":
            w.plugin_states[plugin] = "active"
            return [("plugin.status", {"plugin": plugin, "state": "active", "message": "recovered"})]
        roll = rng.random()
        if roll < 0.5:
            major, minor, patch = (int(p) for p in w.plugin_versions[plugin].split("."))
            version = f"{major}.{minor}.{patch + 1}" if rng.random() < 0.8 else f"{major}.{minor + 1}.0"
            w.plugin_versions[plugin] = version
            return [
                ("plugin.update", {"plugin": plugin, "version": version, "message": "updated automatically"}),
                ("plugin.status", {"plugin": plugin, "state": "active", "message": f"v{version} loaded"}),
            ]
        state, message = (
            ("error", "connection refused by upstream") if roll < 0.8 else ("inactive", "disabled by admin")
        )
        w.plugin_states[plugin] = state
        return [("plugin.status", {"plugin": plugin, "state": state, "message": message})]

    def _metrics(self, now: float) -> list[Event]:
        rng, w = self.rng, self.w
        if now < w.next_metrics_at:
            return []
        w.next_metrics_at = now + 1.0
        # queue depth: a mean-reverting random walk; load: a slow daily-like wave
        w.queue_depth = max(0.0, w.queue_depth + 0.2 * (40 - w.queue_depth) + rng.gauss(0, 8))
        requests_per_s = 120 + 60 * math.sin((now - self.start) / 300 * 2 * math.pi) + rng.gauss(0, 6)
        online = sum(1 for s in w.presence.values() if s == "online")
        series = {
            "queue.depth": round(w.queue_depth, 1),
            "requests.per_s": round(max(0.0, requests_per_s), 1),
            "users.online": online,
        }
        return [("metrics.update", series)]

    def _notes_and_alerts(self, now: float) -> list[Event]:
        rng, w, out = self.rng, self.w, list[Event]()
        if now >= w.next_note_at:
            w.next_note_at = now + rng.uniform(20, 45)
            level, title, message = rng.choice(NOTES)
            out.append(("notification", {"level": level, "title": title, "message": message}))
        if w.open_alert is not None and now >= w.open_alert[2]:
            severity, title, _ = w.open_alert
            w.open_alert = None
            out.append(
                ("alert", {"severity": severity, "title": title, "message": "Back to normal.", "resolved": True})
            )
        elif w.open_alert is None and now >= w.next_alert_at:
            severity, title, message = rng.choice(ALERTS)
            w.open_alert = (severity, title, now + rng.uniform(20, 60))
            w.next_alert_at = now + rng.uniform(90, 240)
            out.append(("alert", {"severity": severity, "title": title, "message": message, "resolved": False}))
        return out

    def _poisson(self, mean: float) -> int:
        # Knuth's method is fine for the small means of one step
        if mean <= 0:
            return 0
        limit, k, p = math.exp(-min(mean, 50.0)), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1
