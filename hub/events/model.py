"""The envelope's rules and the event types the parts of the hub hand each other.

An event comes in as a ``NewEvent`` (validated, its envelope's JSON text encoded
once, no ``seq`` yet), is written by a store, which answers an ``AppendResult``,
and goes out as a ``StoredEvent`` (its ``seq``, type and stored JSON text) to the
bus, the sockets, the live state and every read. None of them knows which
database holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")
MAX_ATTRIBUTE_CHARS = 256
MAX_SERIES_NAME_CHARS = 200


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 1000
    max_data_bytes: int = 65_536


# not frozen: a frozen dataclass sets each field through object.__setattr__, about 1 µs an
# event at 1,000 events a request; nothing changes a NewEvent after validation
@dataclass(slots=True)
class NewEvent:
    """A validated event ready for the store; ``seq`` is added when it is written.

    ``body`` is the envelope's JSON text without ``seq``, encoded once on the request's thread so
    that the single writer only appends ``,"seq":n}`` (``body_with_seq``). ``assigned_id``: the hub
    gave the id (the producer sent none), so no event can hold it unless a producer made it up.
    """

    id: str
    source: str
    type: str
    time: str
    ts: float
    envelope: dict[str, Any]
    body: str
    assigned_id: bool = False

    def body_with_seq(self, seq: int) -> str:
        """The stored JSON text: the envelope with ``seq`` as its last member."""
        return f'{self.body[:-1]},"seq":{seq}}}'


class StoredEvent(NamedTuple):
    """A committed event: its position, type and JSON text. Immutable, shared by every subscriber.

    A named tuple rather than a frozen dataclass: the writer makes one per event, and a frozen
    dataclass's __init__ (object.__setattr__ per field) cost 0.8 us of it.
    """

    seq: int
    type: str
    body: str


@dataclass(frozen=True)
class AppendResult:
    accepted: int
    duplicates: int
    first_seq: int | None
    last_seq: int | None


def category(type_: str) -> str:
    return type_.split(".", 1)[0]
