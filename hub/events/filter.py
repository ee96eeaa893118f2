"""Which events a reader wants: type prefixes by whole segments, a time range, a text search.

A type prefix matches the type itself and every type under it by whole segments
("ml" matches "ml.training.progress", not "mlx"). The bus filters each socket's
events with ``type_matches``; the stores turn an ``EventFilter`` into SQL
(hub/storage/sql.py). ``parse_types`` is the one reading of the prefixes a
client sends, on GET /api/events and /ws alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.events.model import TYPE_PATTERN

MAX_TYPE_PREFIXES = 50  # type filters in one request or subscribe frame: each is matched against every event
MAX_TYPE_CHARS = 200


@dataclass(frozen=True)
class EventFilter:
    """Which events a read wants: type prefixes, a time range (epoch seconds) and a text search."""

    types: Sequence[str] = ()
    since: float | None = None
    until: float | None = None
    text: str = ""


def as_filter(types: Sequence[str] | EventFilter) -> EventFilter:
    return types if isinstance(types, EventFilter) else EventFilter(tuple(types))


def type_matches(type_: str, prefixes: Sequence[str]) -> bool:
    """Whether a type is one of the prefixes or under one by whole segments ("ml" -> "ml.x", not "mlx")."""
    if not prefixes:
        return True
    # a plain loop with no string built: the bus runs this for every event it fans out
    for prefix in prefixes:
        if type_.startswith(prefix) and (len(type_) == len(prefix) or type_[len(prefix)] == "."):
            return True
    return False


def parse_types(values: list[str]) -> tuple[str, ...]:
    """Type prefixes from repeatable or comma-separated parameters; raises ValueError on a bad one or too many."""
    types = []
    for value in values:
        for prefix in value.split(","):
            prefix = prefix.strip()
            if not prefix:
                continue
            if len(prefix) > MAX_TYPE_CHARS:
                raise ValueError(f"a type prefix is at most {MAX_TYPE_CHARS} characters")
            if not TYPE_PATTERN.match(prefix):
                raise ValueError(f"type prefix {prefix!r} must match {TYPE_PATTERN.pattern}")
            types.append(prefix)
            if len(types) > MAX_TYPE_PREFIXES:
                raise ValueError(f"at most {MAX_TYPE_PREFIXES} type prefixes: a prefix covers its subtypes")
    return tuple(sorted(set(types)))
