"""Property tests (hypothesis): the validator never crashes and is all-or-nothing; replay + live never gap or repeat."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.errors import HubError
from hub.events.model import Limits, StoredEvent
from hub.events.validate import KNOWN_TYPES, validate_batch
from hub.live.bus import Batch
from hub.live.session import ClientSession

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
types = st.sampled_from(sorted(KNOWN_TYPES)) | st.text(max_size=30)
events = st.fixed_dictionaries(
    {"type": types, "data": json_values},
    optional={"id": json_values, "source": json_values, "time": json_values, "specversion": json_values},
)


@settings(max_examples=300, deadline=None)
@given(st.lists(events | json_values, max_size=6))
def test_validator_raises_only_hub_errors_and_names_the_first_bad_event(items):
    try:
        valid = validate_batch(items, "api", Limits())
    except HubError as error:
        assert error.status in (400, 413)
        index = error.details.get("index")
        if index is not None:
            # everything before the named index is valid on its own: the error points at the first bad one
            validate_batch(items[:index], "api", Limits()) if index else None
    else:
        assert len(valid) == len(items)
        assert all(e.envelope["data"] == item["data"] for e, item in zip(valid, items, strict=True))


class FrameSink:
    """Stands in for the socket: records every text frame the session sends."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    def send(self, data: str) -> None:
        self.frames.append(data)

    def receive(self, timeout: float | None = None) -> None:
        return None

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        pass


class ListStore:
    """Stands in for the store's read_after over a list of committed events."""

    def __init__(self, committed: list[StoredEvent]) -> None:
        self.committed = committed

    def read_after(self, after: int, types: tuple[str, ...] = (), limit: int = 1000) -> list[StoredEvent]:
        return [e for e in self.committed if e.seq > after][:limit]


def ev(seq: int) -> StoredEvent:
    return StoredEvent(seq, "x", f'{{"seq":{seq}}}')


@settings(max_examples=300, deadline=None)
@given(total=st.integers(1, 60), data=st.data())
def test_replay_then_live_has_no_gap_and_no_duplicate(total, data):
    """Whatever the client's seq, when it subscribed, when the replay read the store and how
    live events were batched: it receives every seq after its own exactly once, in order."""
    after = data.draw(st.integers(0, total), label="after")
    subscribed_at = data.draw(st.integers(0, total), label="last commit before subscribing")
    replay_sees = data.draw(st.integers(subscribed_at, total), label="last commit the replay reads")
    cuts = data.draw(st.lists(st.integers(subscribed_at, total), max_size=5), label="batch cuts")
    sink = FrameSink()
    session = ClientSession(sink, (), max_events=10**6, frame_interval_s=0.0)
    bounds = sorted({subscribed_at, *cuts, total})
    for lo, hi in zip(bounds, bounds[1:], strict=False):  # committed after subscribing: queued live batches
        session.deliver(Batch.of([ev(s) for s in range(lo + 1, hi + 1)]))
    session.replay(ListStore([ev(s) for s in range(1, replay_sees + 1)]), after)
    session.send_queued()
    frames = [orjson.loads(f) for f in sink.frames]
    seqs = [e["seq"] for f in frames for e in f["events"]]
    assert seqs == list(range(after + 1, total + 1))
    assert [f["n"] for f in frames] == list(range(1, len(frames) + 1))
