"""The live state: what the stream of events says is true *now*.

The feed shows what happened; the panels show where things stand. ``LiveState``
folds events (stored envelopes, in ``seq`` order) into the current state of
training jobs, model versions, file transfers, user presence, plugins and a
rolling summary of prediction latency, and hands out a bounded, JSON-ready
``snapshot()``. The hub applies each committed batch and rebuilds it from the
store at start-up, so GET /api/status can give a new page the panels' state in
one request. Pure: no I/O and no Dash, a lock for the writer and HTTP threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.events.times import parse_time

TERMINAL_JOB_STATES = frozenset({"completed", "failed", "cancelled"})
FINISHED_TRANSFER_STATES = frozenset({"completed", "failed"})
JOB_FIELDS = ("progress", "epoch", "epochs", "step", "loss", "accuracy", "eta_s", "model")
STATE_TYPES = (  # type prefixes the state reads; the hub can skip (and not parse) everything else
    "ml.training.progress",
    "ml.model.update",
    "ml.prediction.result",
    "file.upload.progress",
    "file.download.progress",
    "user.presence",
    "user.activity",
    "plugin.status",
    "plugin.update",
)
PRESENCE_ORDER = {"online": 0, "away": 1, "offline": 2}


@dataclass(frozen=True)
class Bounds:
    """How much the state keeps, so that a flood of ids cannot grow it without end."""

    jobs: int = 200
    transfers: int = 200
    models: int = 200
    users: int = 500
    plugins: int = 200
    finished_transfer_ttl_s: float = 600.0
    prediction_window_s: float = 60.0
    prediction_samples: int = 10_000  # per model, inside the window


@dataclass
class _Predictions:
    samples: deque[tuple[float, float]] = field(default_factory=deque)  # (event ts, latency_ms), ts ascending
    total: int = 0
    last: str = ""  # event time of the newest prediction
    last_ts: float = -math.inf


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of an ascending, non-empty list."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def _trim(table: dict[str, dict[str, Any]], limit: int, finished: Any) -> None:
    """Keep at most ``limit`` entries: drop finished ones first, then the least recently updated."""
    if len(table) <= limit:
        return
    order = sorted(table, key=lambda k: (not finished(table[k]), table[k]["_ts"]))
    for key in order[: len(table) - limit]:
        del table[key]


def _public(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


class LiveState:
    """Current state folded from events; ``apply`` them in seq order, read ``snapshot()``."""

    def __init__(self, bounds: Bounds | None = None) -> None:
        self.bounds = bounds or Bounds()
        self._lock = threading.Lock()
        self.last_seq = 0
        self._jobs: dict[str, dict[str, Any]] = {}
        self._models: dict[str, dict[str, Any]] = {}
        self._transfers: dict[str, dict[str, Any]] = {}
        self._presence: dict[str, dict[str, Any]] = {}
        self._plugins: dict[str, dict[str, Any]] = {}
        self._predictions: dict[str, _Predictions] = {}

    @classmethod
    def rebuild(cls, events: Iterable[Mapping[str, Any]], bounds: Bounds | None = None) -> LiveState:
        """A state built from stored events (oldest first), e.g. the store's pages at start-up."""
        state = cls(bounds)
        batch: list[Mapping[str, Any]] = []
        for event in events:
            batch.append(event)
            if len(batch) >= 1000:
                state.apply(batch)
                batch = []
        state.apply(batch)
        return state

    @staticmethod
    def wants(type_: str) -> bool:
        """Whether events of this type change the state (the hub need not parse the others)."""
        return type_ in STATE_TYPES

    # -- folding ----------------------------------------------------------------

    def apply(self, events: Iterable[Mapping[str, Any]]) -> None:
        with self._lock:
            for event in events:
                data = event.get("data")
                seq = event.get("seq")
                if isinstance(seq, int) and seq > self.last_seq:
                    self.last_seq = seq
                if not isinstance(data, Mapping):
                    continue
                handler = self._HANDLERS.get(str(event.get("type")))
                if handler is None:
                    continue
                time_text, ts = self._time_of(event)
                handler(self, data, time_text, ts, event)

    @staticmethod
    def _time_of(event: Mapping[str, Any]) -> tuple[str, float]:
        text = event.get("time")
        if isinstance(text, str):
            try:
                return text, parse_time(text).timestamp()
            except (ValueError, OverflowError):
                pass
        # stored events always carry a valid time; this is for hand-made ones
        now = time.time()
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), now

    def _job(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        name = data.get("job")
        state = data.get("state")
        if not isinstance(name, str) or not isinstance(state, str):
            return
        job = self._jobs.get(name)
        if job is not None and ts < job["_ts"]:
            return  # an older report arriving late (another publisher's retry) must not undo a newer one
        if job is None or (job["state"] in TERMINAL_JOB_STATES and state == "running"):
            # first sight, or a finished job running again: a new run, so forget the old run's numbers
            job = {"job": name, "started": when, "finished": None}
            self._jobs[name] = job
        job.update({k: data[k] for k in JOB_FIELDS if k in data})
        job["state"] = state
        job["updated"] = when
        job["source"] = event.get("source")
        job["_ts"] = ts
        if state in TERMINAL_JOB_STATES:
            job["finished"] = when
            job["eta_s"] = 0 if state == "completed" else None
            if state == "completed":
                job["progress"] = 1.0
        _trim(self._jobs, self.bounds.jobs, lambda j: j["state"] in TERMINAL_JOB_STATES)

    def _model(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        name, version = data.get("model"), data.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            return
        previous = self._models.get(name)
        if previous is not None and ts < previous["_ts"]:
            return
        self._models[name] = {
            "model": name,
            "version": version,
            # the version it replaced; re-announcing the same version (a stage change) keeps the one before
            "previous_version": (
                None
                if previous is None
                else previous["version"]
                if previous["version"] != version
                else previous["previous_version"]
            ),
            "stage": data.get("stage"),
            "metrics": data.get("metrics") or {},
            "updated": when,
            "updates": (previous["updates"] if previous else 0) + 1,
            "_ts": ts,
        }
        _trim(self._models, self.bounds.models, lambda m: True)

    def _transfer(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        key, state = data.get("transfer"), data.get("state")
        done, total = _number(data.get("bytes")), _number(data.get("total"))
        if not isinstance(key, str) or not isinstance(state, str) or done is None or total is None:
            return
        direction = "upload" if event.get("type") == "file.upload.progress" else "download"
        t = self._transfers.get(key)
        if t is not None and ts < t["_ts"]:
            return
        if t is None or (t["state"] in FINISHED_TRANSFER_STATES and state == "running"):
            t = {"transfer": key, "started": when, "finished": None, "rate_bps": None, "_ts0": ts, "_bytes0": done}
            self._transfers[key] = t
        elif ts > t["_ts"] and done >= t["bytes"]:
            t["rate_bps"] = (done - t["bytes"]) / (ts - t["_ts"])
        elif done < t["bytes"]:
            t["rate_bps"] = None  # the count went back (a restart): no honest rate until the next report
        t.update(name=data.get("name"), direction=direction, bytes=done, total=total, state=state, updated=when)
        t["progress"] = min(1.0, done / total) if total > 0 else None
        t["_ts"] = ts
        rate = t["rate_bps"]
        if state == "running":
            t["eta_s"] = round((total - done) / rate, 1) if rate and total >= done else None
        else:
            t["finished"] = when
            t["eta_s"] = 0 if state == "completed" else None
            if state == "completed" and ts > t["_ts0"]:
                t["rate_bps"] = (done - t["_bytes0"]) / (ts - t["_ts0"])  # the average is what a user remembers
        _trim(self._transfers, self.bounds.transfers, lambda x: x["state"] in FINISHED_TRANSFER_STATES)

    def _presence_of(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        user, state = data.get("user"), data.get("state")
        if not isinstance(user, str) or not isinstance(state, str):
            return
        entry = self._presence.setdefault(user, {"user": user, "last_action": None, "since": when, "_ts": ts})
        if ts < entry["_ts"]:
            return
        if entry.get("state") != state:
            entry["since"] = when
        entry.update(state=state, last_seen=when, _ts=ts)
        _trim(self._presence, self.bounds.users, lambda u: u.get("state") == "offline")

    def _activity(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        user, action = data.get("user"), data.get("action")
        if not isinstance(user, str) or not isinstance(action, str):
            return
        # someone acting is there: a user first seen through activity counts as online
        entry = self._presence.setdefault(user, {"user": user, "state": "online", "since": when, "_ts": ts})
        if ts < entry["_ts"]:
            return
        target = data.get("target")
        entry.update(last_action=action + (f" {target}" if isinstance(target, str) and target else ""))
        entry.update(last_seen=when, _ts=ts)
        _trim(self._presence, self.bounds.users, lambda u: u.get("state") == "offline")

    def _plugin(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        name = data.get("plugin")
        if not isinstance(name, str):
            return
        entry = self._plugins.setdefault(name, {"plugin": name, "state": None, "version": None, "_ts": ts})
        if ts < entry["_ts"]:
            return
        if event.get("type") == "plugin.status":
            entry["state"] = data.get("state")
        else:
            entry["version"] = data.get("version")
        message = data.get("message")
        entry.update(message=message if isinstance(message, str) else None, updated=when, _ts=ts)
        _trim(self._plugins, self.bounds.plugins, lambda p: p["state"] != "active")

    def _prediction(self, data: Mapping[str, Any], when: str, ts: float, event: Mapping[str, Any]) -> None:
        model, latency = data.get("model"), _number(data.get("latency_ms"))
        if not isinstance(model, str) or latency is None:
            return
        entry = self._predictions.get(model)
        if entry is None:
            if len(self._predictions) >= self.bounds.models:
                del self._predictions[min(self._predictions, key=lambda m: self._predictions[m].last_ts)]
            entry = self._predictions[model] = _Predictions()
        samples = entry.samples
        if samples and ts < samples[-1][0]:
            # rare (two publishers' clocks): keep the deque sorted so the window prunes from the left
            items = sorted([*samples, (ts, latency)])
            samples.clear()
            samples.extend(items)
        else:
            samples.append((ts, latency))
        horizon = samples[-1][0] - self.bounds.prediction_window_s
        while samples and (samples[0][0] < horizon or len(samples) > self.bounds.prediction_samples):
            samples.popleft()
        entry.total += 1
        if ts >= entry.last_ts:
            entry.last, entry.last_ts = when, ts

    _HANDLERS: ClassVar[dict[str, Callable[[LiveState, Mapping[str, Any], str, float, Mapping[str, Any]], None]]] = {
        "ml.training.progress": _job,
        "ml.model.update": _model,
        "file.upload.progress": _transfer,
        "file.download.progress": _transfer,
        "user.presence": _presence_of,
        "user.activity": _activity,
        "plugin.status": _plugin,
        "plugin.update": _plugin,
        "ml.prediction.result": _prediction,
    }

    # -- reading ------------------------------------------------------------------

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """JSON-ready current state; ``now`` (epoch seconds) sets the prediction window and transfer expiry."""
        now = time.time() if now is None else now
        with self._lock:
            expired = [
                k
                for k, t in self._transfers.items()
                if t["state"] in FINISHED_TRANSFER_STATES and t["_ts"] < now - self.bounds.finished_transfer_ttl_s
            ]
            for key in expired:
                del self._transfers[key]
            return {
                "last_seq": self.last_seq,
                "jobs": self._sorted(self._jobs, lambda j: (j["state"] != "running", -j["_ts"])),
                "models": self._sorted(self._models, lambda m: (-m["_ts"],)),
                "transfers": self._sorted(self._transfers, lambda t: (t["state"] != "running", -t["_ts"])),
                "presence": self._sorted(
                    self._presence, lambda u: (PRESENCE_ORDER.get(str(u.get("state")), 3), u["user"])
                ),
                "plugins": self._sorted(self._plugins, lambda p: (p["plugin"],)),
                "predictions": self._prediction_summary(now),
            }

    @staticmethod
    def _sorted(table: dict[str, dict[str, Any]], key: Any) -> list[dict[str, Any]]:
        return [_public(entry) for entry in sorted(table.values(), key=key)]

    def _prediction_summary(self, now: float) -> list[dict[str, Any]]:
        window = self.bounds.prediction_window_s
        out = []
        for model in sorted(self._predictions):
            entry = self._predictions[model]
            latencies = sorted(lat for ts, lat in entry.samples if ts >= now - window)
            out.append(
                {
                    "model": model,
                    "count": len(latencies),
                    "per_s": round(len(latencies) / window, 3),
                    "p50_ms": percentile(latencies, 0.5) if latencies else None,
                    "p95_ms": percentile(latencies, 0.95) if latencies else None,
                    "total": entry.total,
                    "last": entry.last,
                }
            )
        return out
