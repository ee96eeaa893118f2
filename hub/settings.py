"""One frozen settings object, read once at start-up from CLI flags, MOVA_*
environment variables and defaults, in that order of precedence.

Every setting is a row of ``SETTINGS``: its flag, its environment variable, its
default and its help. README documents each one (a test checks that), and a bad
value fails loudly at start-up naming the setting and how to fix it.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value the hub cannot use; the message names it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    flag_is_switch: bool = False
    repeatable: bool = False

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "MOVA_" + self.name.upper()


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(f"must be > 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"must be > 0, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(f"must be >= 0, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"must be >= 0, got {text}")
    return value


def _producer(text: str) -> str:
    name, sep, token = text.partition("=")
    if not sep or not name.strip() or len(token.strip()) < 8:
        raise ValueError("must be NAME=TOKEN with a token of at least 8 characters")
    return f"{name.strip()}={token.strip()}"


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(f"must be a TCP port 0..65535, got {text}")
    return value


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text and text.split("://", 1)[0] not in schemes:
            raise ValueError(f"must be a URL starting {' or '.join(s + '://' for s in schemes)}, got {text!r}")
        return text

    return parse


def _server(text: str) -> str:
    if text not in {"gunicorn", "werkzeug"}:
        raise ValueError(f"must be gunicorn or werkzeug, got {text!r}")
    return text


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "host", "127.0.0.1", "Address to bind; anything but loopback requires a token (one is generated if unset)."
    ),
    Setting("port", 8050, "TCP port to serve on.", _port),
    Setting("data_dir", "./data", "Directory holding the SQLite store (created if missing)."),
    Setting("token", "", "Ingest token: POST /api/events then needs 'Authorization: Bearer <token>'."),
    Setting(
        "producer",
        (),
        "A named ingest token NAME=TOKEN (repeatable; comma-separated in the env var): events sent with it get "
        "source NAME by default.",
        _producer,
        repeatable=True,
    ),
    Setting(
        "token_rate",
        20_000.0,
        "Events per second one token may send (bursts up to twice that); 429 beyond.",
        _positive_float,
    ),
    Setting(
        "max_connections", 1100, "Most open WebSockets per process; 503 beyond (keep below threads).", _positive_int
    ),
    Setting(
        "client_frames_per_minute",
        100,
        "Frames a WebSocket client may send per minute; more are refused with an error frame.",
        _positive_int,
    ),
    Setting(
        "max_db_mb",
        0,
        "Largest SQLite file in MiB (0: no limit); when full, ingest answers 503 until retention frees space.",
        _non_negative_int,
    ),
    Setting(
        "allowed_origin",
        (),
        "Extra Origin allowed to open /ws (the page's own origin always is); repeatable, comma-separated in the env var.",
        str,
        repeatable=True,
    ),
    Setting(
        "public_url",
        "",
        "The URL users open (e.g. https://mova.example.com behind a proxy): its host is served and its origin "
        "may open /ws.",
        _url("http", "https"),
    ),
    Setting(
        "allowed_host",
        (),
        "Extra Host name this server answers for (*.example.com for subdomains); other names get 421 (DNS "
        "rebinding). localhost and the bound address always are; repeatable, comma-separated in the env var.",
        str,
        repeatable=True,
    ),
    Setting("collector", True, "Publish host metrics (system.metrics) and health (system.status).", _bool),
    Setting("collector_interval", 1.0, "Seconds between host metric samples.", _positive_float),
    Setting(
        "degraded_cpu_percent",
        90.0,
        "CPU percent above which the host turns degraded (after degraded_after_s).",
        _positive_float,
    ),
    Setting(
        "degraded_memory_percent",
        90.0,
        "Memory percent above which the host turns degraded (after degraded_after_s).",
        _positive_float,
    ),
    Setting(
        "degraded_after_s",
        10.0,
        "Seconds a threshold must stay crossed before health changes (hysteresis).",
        _non_negative_float,
    ),
    Setting("retention_days", 7.0, "Events and samples older than this many days are deleted.", _positive_float),
    Setting("retention_events", 1_000_000, "At most this many events are kept (oldest deleted first).", _positive_int),
    Setting("max_body_bytes", 1_048_576, "Largest POST /api/events body, in bytes (413 above).", _positive_int),
    Setting("max_batch_events", 1000, "Most events in one POST (413 above).", _positive_int),
    Setting("max_data_bytes", 65_536, "Largest serialized 'data' of one event, in bytes (413 above).", _positive_int),
    Setting(
        "client_queue_mb",
        16.0,
        "MiB of event frames queued for one WebSocket client before it is sent a gap frame.",
        _positive_float,
    ),
    Setting(
        "client_queue_events",
        10_000,
        "Events queued for one WebSocket client before it is sent a gap frame.",
        _positive_int,
    ),
    Setting(
        "heartbeat_s",
        30.0,
        "Heartbeat the page pings at; the server drops sockets silent for two of them.",
        _positive_float,
    ),
    Setting(
        "frame_interval_s",
        0.05,
        "Default minimum seconds between two event frames to one client (a client may ask its own with /ws?frame_ms=).",
        _non_negative_float,
    ),
    Setting(
        "threads", 1200, "Worker threads of the gunicorn gthread server: each open WebSocket holds one.", _positive_int
    ),
    Setting(
        "server",
        "gunicorn",
        "HTTP server: gunicorn (production, clean socket closes) or werkzeug (debugging only).",
        _server,
    ),
    Setting("feed_max_items", 50, "Activity feed items the page keeps.", _positive_int),
    Setting("notifications_max", 10, "Notifications the bell's list keeps.", _positive_int),
    Setting("poll_interval_s", 2.0, "Seconds between REST polls while the page's socket is down.", _positive_float),
    Setting("demo", False, "Start the activity simulator so every panel moves.", _bool),
    Setting(
        "sqlite_synchronous",
        "FULL",
        "SQLite synchronous pragma: FULL survives power loss, NORMAL survives process crashes.",
        str,
    ),
    Setting(
        "store_url",
        "",
        "PostgreSQL URL (postgresql://user:pass@host/db) to keep the store there instead of SQLite, shared by "
        "several server processes (pip install '.[scale]').",
        _url("postgresql", "postgres"),
    ),
    Setting(
        "bus_url",
        "",
        "Redis URL (redis://host:6379/0) to fan events out through a Redis stream to every server process "
        "instead of within this one (pip install '.[scale]').",
        _url("redis", "rediss", "unix"),
    ),
    Setting(
        "workers",
        1,
        "gunicorn worker processes on this port; more than 1 needs --store-url and --bus-url (state is shared there).",
        _positive_int,
    ),
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: str = "./data"
    token: str = ""
    producer: tuple[str, ...] = ()
    token_rate: float = 20_000.0
    max_connections: int = 1100
    client_frames_per_minute: int = 100
    max_db_mb: int = 0
    allowed_origin: tuple[str, ...] = ()
    public_url: str = ""
    allowed_host: tuple[str, ...] = ()
    collector: bool = True
    collector_interval: float = 1.0
    degraded_cpu_percent: float = 90.0
    degraded_memory_percent: float = 90.0
    degraded_after_s: float = 10.0
    retention_days: float = 7.0
    retention_events: int = 1_000_000
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 1000
    max_data_bytes: int = 65_536
    client_queue_events: int = 10_000
    client_queue_mb: float = 16.0
    heartbeat_s: float = 30.0
    frame_interval_s: float = 0.05
    threads: int = 1200
    server: str = "gunicorn"
    feed_max_items: int = 50
    notifications_max: int = 10
    poll_interval_s: float = 2.0
    demo: bool = False
    sqlite_synchronous: str = "FULL"
    store_url: str = ""
    bus_url: str = ""
    workers: int = 1
    generated_token: bool = field(default=False, compare=False)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def db_path(self) -> Path:
        return self.data_path / "mova.sqlite3"

    @property
    def tokens(self) -> dict[str, str]:
        """Producer name -> token; the plain token is the producer "api"."""
        named = dict(p.split("=", 1) for p in self.producer)
        return {"api": self.token, **named} if self.token else named

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="MOVA Live: real-time operations dashboard.")
    for s in SETTINGS:
        if s.flag_is_switch or isinstance(s.default, bool):
            parser.add_argument(s.flag, dest=s.name, action=argparse.BooleanOptionalAction, default=None, help=s.help)
        elif s.repeatable:
            parser.add_argument(s.flag, dest=s.name, action="append", default=None, help=s.help)
        else:
            parser.add_argument(s.flag, dest=s.name, default=None, help=s.help)
    return parser


def _convert(setting: Setting, raw: str, where: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingsError(f"{where} for setting {setting.name}: {exc}") from None


def load(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from CLI flags, then MOVA_* variables, then defaults."""
    environ = os.environ if environ is None else environ
    args = vars(_parser().parse_args(list(argv or [])))
    values: dict[str, Any] = {}
    for s in SETTINGS:
        given = args.get(s.name)
        if given is not None:
            if isinstance(given, bool):
                values[s.name] = given
            elif s.repeatable:
                values[s.name] = tuple(_convert(s, v, f"bad {s.flag}") for v in given)
            else:
                values[s.name] = _convert(s, given, f"bad {s.flag} {given!r}")
        elif s.env in environ:
            raw = environ[s.env]
            if s.repeatable:
                values[s.name] = tuple(_convert(s, v.strip(), f"bad {s.env}") for v in raw.split(",") if v.strip())
            else:
                values[s.name] = _convert(s, raw, f"bad {s.env}={raw!r}")
    settings = Settings(**values)
    return validate(settings)


def validate(settings: Settings) -> Settings:
    """Check cross-setting rules; generate a token for non-loopback binds."""
    if settings.sqlite_synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        raise SettingsError("sqlite_synchronous must be FULL, NORMAL or EXTRA")
    if settings.workers > 1 and not (settings.store_url and settings.bus_url):
        raise SettingsError(
            "workers > 1 needs --store-url postgresql://... and --bus-url redis://...: "
            "the SQLite store and the in-process bus belong to one process"
        )
    if not settings.is_loopback and not settings.token and not settings.producer:
        settings = settings.replace(token=secrets.token_urlsafe(24), generated_token=True)
    return settings
