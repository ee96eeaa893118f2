"""The in-process bus: one batch per type filter, shared by every subscriber with it."""

from __future__ import annotations

import threading

from hub.events.model import StoredEvent
from hub.live.bus import Batch, InProcessBus
from tests.server import wait_until


class Collecting:
    """A subscriber that records what it is given."""

    def __init__(self, types: tuple[str, ...] = ()) -> None:
        self.types = types
        self.batches: list[Batch] = []
        self.lock = threading.Lock()

    def deliver(self, batch: Batch) -> None:
        with self.lock:
            self.batches.append(batch)

    def seqs(self) -> list[int]:
        with self.lock:
            return [e.seq for b in self.batches for e in b.events]


def ev(seq: int, type_: str = "a.b") -> StoredEvent:
    return StoredEvent(seq, type_, f'{{"seq":{seq},"type":"{type_}"}}')


def test_same_batch_object_for_same_filter_and_filtered_per_group():
    bus = InProcessBus()
    everyone = [Collecting(), Collecting()]
    ml_only = Collecting(("ml",))
    for s in [*everyone, ml_only]:
        bus.subscribe(s)
    bus.publish([ev(1), ev(2, "ml.x"), ev(3)])
    wait_until(lambda: everyone[0].seqs() == [1, 2, 3] and everyone[1].seqs() == [1, 2, 3] and ml_only.seqs() == [2])
    assert everyone[0].batches[0] is everyone[1].batches[0], "serialized once, shared"
    assert everyone[0].batches[0].json == '[{"seq":1,"type":"a.b"},{"seq":2,"type":"ml.x"},{"seq":3,"type":"a.b"}]'
    bus.close()


def test_burst_coalesces_and_keeps_order():
    bus = InProcessBus(dispatch_interval_s=0.2)
    sub = Collecting()
    bus.subscribe(sub)
    for seq in range(1, 501):
        bus.publish([ev(seq)])
    wait_until(lambda: sub.seqs() == list(range(1, 501)), timeout=5)
    assert len(sub.batches) < 20
    bus.close()


def test_batch_after_drops_replayed_events():
    batch = Batch.of([ev(4), ev(5), ev(6)])
    assert batch.after(3) is batch
    assert [e.seq for e in batch.after(4).events] == [5, 6]
    assert batch.after(6) is None


def test_join_concatenates_json_of_consecutive_batches():
    joined = Batch.join([Batch.of([ev(1), ev(2)]), Batch.of([ev(3)])])
    assert joined.json == Batch.of([ev(1), ev(2), ev(3)]).json
    assert [e.seq for e in joined.events] == [1, 2, 3]
