"""The PostgreSQL store against the SQLite one: the shared SQL (hub.storage.sql.Dialect) gives the same answers.

Chart series at every resolution (raw buckets, rollup cells, grouped rollups) and
retention are written once for both dialects; here the same events go into both
stores and every query must agree to the value.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator

import pytest

from hub.events.model import Limits
from hub.events.validate import validate_batch
from hub.storage.series import Retention
from hub.storage.sqlite import SQLiteStore
from tests.scale.services import ScaleUrls

RETENTION = Retention(86400 * 30, 10**7, raw_samples_s=3600)


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


@pytest.fixture
def stores(tmp_path, scale_urls: ScaleUrls) -> Iterator[tuple[SQLiteStore, object]]:
    from hub.storage.postgres import PostgresStore

    sqlite = SQLiteStore(tmp_path / "s.sqlite3", RETENTION)
    postgres = PostgresStore(scale_urls.store_url, RETENTION)
    yield sqlite, postgres
    sqlite.close()
    postgres.close()


def _same(a: list[dict], b: list[dict]) -> None:
    assert [s["resolution"] for s in a] == [s["resolution"] for s in b]
    for x, y in zip(a, b, strict=True):
        assert x["t"] == y["t"], x["name"]
        for key in ("v", "min", "max"):
            assert all(math.isclose(p, q, rel_tol=1e-9) for p, q in zip(x[key], y[key], strict=True)), (x["name"], key)
        assert len(x["v"]) == len(y["v"])


def test_pgstore001_series_and_retention_agree_with_sqlite(stores) -> None:
    sqlite, postgres = stores
    now = time.time()
    start = now - 8 * 3600
    rng = random.Random(8)
    events = [
        {"type": "metrics.update", "time": iso(start + i * 7.3), "data": {"x": rng.uniform(-5, 5), "y": float(i % 13)}}
        for i in range(int(8 * 3600 / 7.3))
    ]
    for k in range(0, len(events), 1000):
        batch = validate_batch(events[k : k + 1000], "api", Limits())
        sqlite.append(batch)
        postgres.append(batch)
    ranges = [
        (now - 600, now, 600),  # raw samples in time buckets
        (now - 900, now, 50),  # raw, grouped
        (start, start + 600, 600),  # older than raw retention: 10 s cells
        (now - 6 * 3600, now, 2000),  # 10 s cells grouped into 10.8 s buckets
        (now - 86400, now, 100),  # 1 min cells grouped
        (now - 86400, now, 1440),  # 1 min cells as they are
        (now - 30 * 86400, now, 100),  # 1 h cells grouped
    ]
    for since, until, points in ranges:
        _same(
            sqlite.query_series(["x", "y", "z"], since, until, points),
            postgres.query_series(["x", "y", "z"], since, until, points),
        )
    # retention: the same DELETEs keep the same events, by age and then by count
    for retention, kept in ((Retention(3 * 3600, 10**7, raw_samples_s=3600), None), (Retention(3 * 3600, 1000), 1000)):
        for store in (sqlite, postgres):
            store.retention = retention
            store.apply_retention_now()
        count = sqlite.count_events()
        assert postgres.count_events() == count and (count == kept if kept else abs(count - 3 * 3600 / 7.3) <= 2)
        assert sqlite.first_seq() == postgres.first_seq()
