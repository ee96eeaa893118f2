"""The SQLite store on a real file: seq, idempotency, reads, samples, retention, failure."""

from __future__ import annotations

import sqlite3
import time

import orjson
import pytest

from hub.errors import Unavailable
from hub.events.filter import type_matches
from hub.events.model import Limits, StoredEvent
from hub.events.validate import validate_batch
from hub.storage.series import Retention
from hub.storage.sqlite import INSERT_ROWS_PER_STATEMENT, SQLiteStore


def events(*items: dict) -> list:
    return validate_batch(list(items), "api", Limits())


@pytest.fixture
def store(tmp_path):
    committed: list[StoredEvent] = []
    s = SQLiteStore(tmp_path / "db.sqlite3", Retention(86400, 1000), on_commit=committed.extend)
    s.committed = committed
    yield s
    s.close()


def test_append_assigns_seq_and_publishes_after_commit(store):
    result = store.append(events({"type": "a", "data": {}}, {"type": "b", "data": {}}))
    assert (result.accepted, result.first_seq, result.last_seq) == (2, 1, 2)
    assert [e.seq for e in store.committed] == [1, 2]
    assert orjson.loads(store.committed[1].body)["seq"] == 2
    assert store.last_seq == 2
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_duplicates_skipped_and_seq_never_reused(store, tmp_path):
    store.append(events({"type": "a", "data": {}, "id": "1", "source": "s"}))
    dup = store.append(events({"type": "a", "data": {}, "id": "1", "source": "s"}))
    assert (dup.accepted, dup.duplicates, dup.first_seq) == (0, 1, None)
    store.close()
    reopened = SQLiteStore(tmp_path / "db.sqlite3", Retention(86400, 1000))
    assert reopened.last_seq == 1
    assert reopened.append(events({"type": "a", "data": {}})).first_seq == 2
    reopened.close()


def test_read_after_before_with_types(store):
    store.append(events(*({"type": t, "data": {}} for t in ["ml.a", "file.b", "ml.c", "mlx.d"])))
    assert [e.seq for e in store.read_after(0, ("ml",))] == [1, 3]
    assert [e.seq for e in store.read_before(4, (), 2)] == [2, 3]
    assert [e.type for e in store.read_after(1, (), 10)] == ["file.b", "ml.c", "mlx.d"]


def test_retention_by_count_and_age(tmp_path):
    store = SQLiteStore(tmp_path / "r.sqlite3", Retention(3600, 5))
    old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7200))
    store.append(events({"type": "system.metrics", "time": old, "data": {"cpu": 1}}))
    store.append(events(*({"type": "system.metrics", "data": {"cpu": i}} for i in range(8))))
    store.apply_retention_now()
    assert [e.seq for e in store.read_after(0)] == [5, 6, 7, 8, 9]
    assert store.count_events() == 5
    store.close()


def test_write_failure_is_unavailable_and_stores_nothing(store):
    store.append(events({"type": "a", "data": {}}))
    with sqlite3.connect(store.path) as conn:  # a trigger makes the next insert fail like a full disk would
        conn.execute("CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE(FAIL, 'disk I/O error'); END")
    with pytest.raises(Unavailable):
        store.append(events({"type": "b", "data": {}}))
    with sqlite3.connect(store.path) as conn:
        conn.execute("DROP TRIGGER fail")
    assert store.append(events({"type": "c", "data": {}})).first_seq == 2
    assert [e.type for e in store.read_after(0)] == ["a", "c"]


def test_a_full_batch_spans_insert_statements_in_order_with_duplicates_skipped(store):
    # more rows than one INSERT statement takes, with a duplicate inside: seq stays gapless and in order
    n = INSERT_ROWS_PER_STATEMENT
    unlimited = Limits(max_batch_events=10 * n)
    first = store.append(validate_batch([{"type": "a", "data": {"i": i}} for i in range(n + 1)], "api", unlimited))
    assert (first.accepted, first.first_seq, first.last_seq) == (n + 1, 1, n + 1)
    items = [{"type": "b", "data": {"i": i}, "id": f"e{i}", "source": "s"} for i in range(2 * n + 1)]
    store.append(events(items[7]))
    second = store.append(validate_batch(items, "api", unlimited))
    total = n + 1 + 1 + 2 * n
    assert (second.accepted, second.duplicates, second.first_seq, second.last_seq) == (2 * n, 1, n + 3, total)
    stored = store.read_after(0, (), 5000)
    assert [e.seq for e in stored] == list(range(1, total + 1))
    bodies = [orjson.loads(e.body) for e in stored]
    assert [b["seq"] for b in bodies] == list(range(1, total + 1))
    assert [b["data"]["i"] for b in bodies[n + 2 :]] == [i for i in range(2 * n + 1) if i != 7]
    assert [e.body for e in store.committed] == [e.body for e in stored]


def test_stored_body_is_the_envelope_with_seq_last(store):
    [event] = events({"type": "a", "data": {"x": "é\n"}, "subject": "k", "seq": 99})
    store.append([event])
    [row] = store.read_after(0)
    assert row.body == orjson.dumps({**event.envelope, "seq": 1}).decode()
    assert list(orjson.loads(row.body))[-1] == "seq"


def test_an_id_the_hub_assigns_that_a_producer_already_sent_is_a_duplicate_not_a_failure(store):
    # ids the hub assigns are looked up as one range: one a producer made up in advance is still found
    batch = events(*({"type": "a", "data": {"i": i}} for i in range(5)))
    assert all(e.assigned_id for e in batch)
    taken = batch[2].id
    store.append(events({"type": "x", "data": {}, "id": taken, "source": "api"}))
    result = store.append(batch)
    assert (result.accepted, result.duplicates, result.first_seq, result.last_seq) == (4, 1, 2, 5)
    assert [orjson.loads(e.body)["data"].get("i") for e in store.read_after(0)] == [None, 0, 1, 3, 4]


@pytest.mark.parametrize(
    ("type_", "prefixes", "expected"),
    [
        ("ml.x.y", (), True),
        ("ml", ("ml",), True),
        ("ml.x.y", ("ml",), True),
        ("ml.x.y", ("ml.x",), True),
        ("mlx.d", ("ml",), False),
        ("ml", ("ml.x",), False),
        ("file.b", ("ml", "file"), True),
        ("ml.xy", ("ml.x",), False),
    ],
)
def test_type_matches_whole_segments_like_the_sql_filter(store, type_, prefixes, expected):
    assert type_matches(type_, prefixes) is expected
    store.append(events({"type": type_, "data": {}}))
    assert bool(store.read_after(0, prefixes)) is expected
