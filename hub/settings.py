"""One frozen settings object, read once at start-up from CLI flags, MOVA_*
environment variables and defaults, in that order of precedence.

Every setting is a row of ``SETTINGS`` (hub/settings_table.py): its flag, its
environment variable, its default and its help. README documents each one (a test
checks that), and a bad value fails loudly at start-up naming the setting and how
to fix it.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.settings_table import SETTINGS, Setting


class SettingsError(ValueError):
    """A setting has a value the hub cannot use; the message names it."""


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
    auth: str = "auto"
    session_idle_minutes: float = 720.0
    session_max_hours: float = 168.0
    public_url: str = ""
    allowed_host: tuple[str, ...] = ()
    collector: bool = True
    collector_interval: float = 1.0
    degraded_cpu_percent: float = 90.0
    degraded_memory_percent: float = 90.0
    degraded_after_s: float = 10.0
    stalled_after_s: float = 300.0
    retention_days: float = 7.0
    retention_events: int = 1_000_000
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections_per_address: int = 1200
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
    rules_file: str = ""
    alert_interval_s: float = 10.0
    alert_repeat_s: float = 14_400.0
    alert_group_wait_s: float = 5.0
    alert_retry_s: float = 2.0
    alert_max_attempts: int = 6
    alert_webhook_url: str = ""
    alert_slack_url: str = ""
    alert_email_to: tuple[str, ...] = ()
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "mova-live@localhost"
    generated_token: bool = field(default=False, compare=False)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def db_path(self) -> Path:
        return self.data_path / "mova.sqlite3"

    @property
    def rules_file_path(self) -> Path:
        return Path(self.rules_file)

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
    # prog: the command that was run, app.py or the installed mova-live
    parser = argparse.ArgumentParser(description="MOVA Live: real-time operations dashboard.")
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
    """Check cross-setting rules; generate an ingest token for non-loopback binds and --auth required."""
    if settings.sqlite_synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
        raise SettingsError("sqlite_synchronous must be FULL, NORMAL or EXTRA")
    if settings.workers > 1 and not (settings.store_url and settings.bus_url):
        raise SettingsError(
            "workers > 1 needs --store-url postgresql://... and --bus-url redis://...: "
            "the SQLite store and the in-process bus belong to one process"
        )
    if settings.session_idle_minutes > settings.session_max_hours * 60:
        settings = settings.replace(session_idle_minutes=settings.session_max_hours * 60)
    if settings.rules_file:
        from hub.alerts.loader import RulesFileError, load_rules_file

        try:
            load_rules_file(settings.rules_file_path)  # a bad rules file stops the start, saying where it is wrong
        except RulesFileError as exc:
            raise SettingsError(f"bad --rules-file: {exc}") from None
    if settings.alert_email_to and not settings.smtp_host:
        raise SettingsError("alert_email_to needs smtp_host: set --smtp-host (and --smtp-port) to send alert e-mail")
    # beyond loopback, or when sign-in is required (e.g. behind a proxy on loopback), ingest needs a token too
    exposed = not settings.is_loopback or settings.auth == "required"
    if exposed and not settings.token and not settings.producer:
        settings = settings.replace(token=secrets.token_urlsafe(24), generated_token=True)
    return settings
