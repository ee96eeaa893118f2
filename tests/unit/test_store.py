"""The SQLite store on a real file: seq, idempotency, reads, samples, retention, failure."""

from __future__ import annotations

import sqlite3
import time

import orjson
import pytest

from hub.errors import Unavailable
from hub.events import Limits, validate_batch
from hub.store import Retention, SQLiteStore, StoredEvent


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
