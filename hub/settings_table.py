"""The table of settings: one row each, with its flag, its MOVA_* variable, its default, its help and its parser.

hub/settings.py builds the frozen ``Settings`` from these rows (CLI flags, then
environment, then defaults). README's settings table documents every row (a test
checks that). A new setting is a row here, a field of ``Settings``, and a README row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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


def _auth(text: str) -> str:
    if text not in {"auto", "required", "open"}:
        raise ValueError(f"must be auto, required or open, got {text!r}")
    return text


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
        "auth",
        "auto",
        "Sign-in: auto (required unless bound to loopback with no user yet), required, or open (RISK: anyone who "
        "reaches the port reads everything and acknowledges notifications; ingest still follows --token).",
        _auth,
    ),
    Setting(
        "session_idle_minutes",
        720.0,
        "A sign-in ends after this many minutes with no request and no open page.",
        _positive_float,
    ),
    Setting("session_max_hours", 168.0, "A sign-in ends this many hours after it began, used or not.", _positive_float),
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
    Setting(
        "stalled_after_s",
        300.0,
        "A running job or transfer with no report for this many seconds shows as stalled, not active.",
        _positive_float,
    ),
    Setting("retention_days", 7.0, "Events and samples older than this many days are deleted.", _positive_float),
    Setting("retention_events", 1_000_000, "At most this many events are kept (oldest deleted first).", _positive_int),
    Setting(
        "header_timeout_s",
        10.0,
        "Seconds a client has to send a request's head (line and headers); 408 and closed after.",
        _positive_float,
    ),
    Setting(
        "body_timeout_s",
        30.0,
        "Seconds a client has to send a request's body once its head is in; 408 and closed after.",
        _positive_float,
    ),
    Setting(
        "max_connections_per_address",
        1200,
        "Most open connections (HTTP and WebSocket) from one client address; 429 beyond. Raise it behind a proxy.",
        _positive_int,
    ),
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
    Setting(
        "rules_file",
        "",
        "YAML file of alert rules and contact points loaded at start-up (README: Alerts); its rules are read-only "
        "over the API.",
    ),
    Setting("alert_interval_s", 10.0, "Seconds between two evaluations of every alert rule.", _positive_float),
    Setting(
        "alert_repeat_s",
        14_400.0,
        "Seconds between repeat notifications of a rule still firing and not acknowledged (a rule's repeat wins).",
        _positive_float,
    ),
    Setting(
        "alert_group_wait_s",
        5.0,
        "Seconds a first notification waits for others of its group, to send them as one message.",
        _non_negative_float,
    ),
    Setting(
        "alert_retry_s",
        2.0,
        "Seconds before the first retry of a failed notification; doubles each time.",
        _positive_float,
    ),
    Setting("alert_max_attempts", 6, "Attempts per notification before it is logged as failed.", _positive_int),
    Setting(
        "alert_webhook_url",
        "",
        "Contact point 'webhook': alerts POSTed as JSON (Alertmanager's webhook shape) to this URL.",
        _url("http", "https"),
    ),
    Setting(
        "alert_slack_url", "", "Contact point 'slack': a Slack-compatible incoming webhook URL.", _url("http", "https")
    ),
    Setting(
        "alert_email_to",
        (),
        "Contact point 'email': recipient address (repeatable; comma-separated in the env var); needs --smtp-host.",
        str,
        repeatable=True,
    ),
    Setting("smtp_host", "", "SMTP server that alert e-mail goes through."),
    Setting("smtp_port", 25, "SMTP server port.", _port),
    Setting("smtp_from", "mova-live@localhost", "From address of alert e-mail."),
)
