"""The simulated world: its cast (jobs, models, users, plugins, files, notes) and its state between steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Event = tuple[str, dict[str, Any]]

JOB_NAMES = ("resnet-ft", "bert-sentiment", "yolo-detect", "whisper-small", "churn-xgb", "t5-summarize")
JOB_MODELS = {
    "resnet-ft": "resnet50",
    "bert-sentiment": "bert-base",
    "yolo-detect": "yolov8",
    "whisper-small": "whisper",
    "churn-xgb": "churn-xgb",
    "t5-summarize": "t5-small",
}
SERVING = {  # model -> (median latency ms, labels)
    "resnet50": (38.0, ("cat", "dog", "car", "person")),
    "bert-base": (22.0, ("positive", "negative", "neutral")),
    "churn-xgb": (4.0, ("churn", "stay")),
}
USERS = ("alice", "bob", "chen", "dana", "emeka", "farah", "giulia", "hiro")
ACTIONS = (
    ("viewed", "dashboard"),
    ("opened", "job resnet-ft"),
    ("downloaded", "report weekly.pdf"),
    ("acknowledged", "alert"),
    ("filtered", "feed by ml"),
    ("exported", "metrics csv"),
)
PLUGINS = {"slack-notifier": "2.3.1", "s3-sync": "1.8.0", "grafana-bridge": "0.9.4", "auth-ldap": "3.1.2"}
FILES = ("datasets/images-2026-11.tar", "checkpoints/bert-e12.pt", "exports/predictions.parquet", "logs/train.log.gz")
NOTES = (
    ("info", "Nightly backup started", "Snapshot of the feature store is running."),
    ("success", "Nightly backup finished", "All 4 volumes copied."),
    ("info", "Deploy scheduled", "api-gateway v2.14 rolls out at 18:00."),
    ("warning", "Disk usage at 81%", "Volume /data on node-2 is filling up."),
    ("success", "Data validation passed", "No schema drift in today's batch."),
    ("warning", "Slow queries", "p95 query time above 800 ms for 5 minutes."),
)
ALERTS = (
    ("warning", "Queue depth above 400", "Workers are falling behind."),
    ("critical", "Inference error rate 7%", "bert-base returns 5xx on some requests."),
    ("warning", "GPU node-3 temperature high", "87 °C for 2 minutes."),
)


@dataclass
class Job:
    name: str
    epochs: int
    epoch_s: float
    started: float
    loss0: float
    loss_floor: float
    decay: float
    acc_max: float
    fail_at: float | None  # progress at which it fails, if it will
    next_report: float = 0.0

    @property
    def duration(self) -> float:
        return self.epochs * self.epoch_s


@dataclass
class Transfer:
    key: str
    direction: str
    name: str
    total: int
    rate: float  # bytes per simulated second
    user: str
    done: float = 0.0
    fails: bool = False
    next_report: float = 0.0


@dataclass
class World:
    jobs: dict[str, Job] = field(default_factory=dict)
    next_job_at: float = 0.0
    runs: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, Transfer] = field(default_factory=dict)
    transfer_count: int = 0
    next_transfer_at: float = 0.0
    presence: dict[str, str] = field(default_factory=dict)
    plugin_versions: dict[str, str] = field(default_factory=lambda: dict(PLUGINS))
    plugin_states: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PLUGINS, "active"))
    queue_depth: float = 40.0
    next_metrics_at: float = 0.0
    next_note_at: float = 0.0
    next_plugin_at: float = 0.0
    next_alert_at: float = 0.0
    open_alert: tuple[str, str, float] | None = None  # (severity, title, resolve at)
