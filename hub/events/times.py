"""The hub's one time format: ISO 8601 UTC with milliseconds and Z (2026-11-26T14:00:00.123Z).

Every time the hub writes (envelopes it fills, chart points, exports, alert
messages) goes through ``format_time``; every time it reads from a producer
goes through ``parse_time``, which takes any ISO 8601 with a zone.
"""

from __future__ import annotations

from datetime import UTC, datetime


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_ms(epoch: float) -> str:
    """Epoch seconds in the hub's format."""
    return format_time(datetime.fromtimestamp(epoch, UTC))


def now_iso() -> str:
    return format_time(datetime.now(UTC))


def parse_time(text: str) -> datetime:
    """RFC 3339 / ISO 8601 with a timezone (a naive time is taken as UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def received_now() -> tuple[str, float]:
    """The receive time given to events that carry none: one per request."""
    moment = datetime.now(UTC)
    return format_time(moment), moment.timestamp()
