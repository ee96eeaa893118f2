"""hub.storage.search on a real SQLite file: the time budget stops a search honestly and its cursor carries on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.events.filter import EventFilter
from hub.events.model import Limits
from hub.events.validate import validate_batch
from hub.storage.search import FIRST_WINDOW, count_matching, search_page
from hub.storage.series import Retention
from hub.storage.sqlite import SQLiteStore

N = FIRST_WINDOW * 2 + 5_000  # more than two windows: a budget of 0 stops after the first


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("search") / "db.sqlite3", Retention(86400, 10**7), synchronous="OFF")
    for k in range(0, N, 1000):
        items = [
            {"type": "user.activity", "data": {"user": f"u{i}", "action": "open"}}
            if i % 997
            else {"type": "alert", "data": {"severity": "info", "title": f"needle {i}"}}
            for i in range(k, k + 1000)
        ]
        s.append(validate_batch(items, "api", Limits()))
    yield s
    s.close()


EXPECTED = [i + 1 for i in range(N) if i % 997 == 0]  # the seqs of the needles


def test_search_stops_at_its_budget_and_says_where(store):
    needle = EventFilter(text="needle")
    page = search_page(store, needle, 1000, before=N + 1, budget_s=0)
    # one window of the newest seqs walked, then the budget: partial, and the cursor is that window's low edge
    assert page.partial and page.more and page.next_cursor == N - FIRST_WINDOW + 1 == page.scanned_to
    assert [e.seq for e in page.events] == [s for s in EXPECTED if s > N - FIRST_WINDOW]
    # "Load older" with the cursor until done finds every needle once, newest first, whatever the budget
    seen: list[int] = []
    cursor: int | None = N + 1
    while cursor is not None:
        page = search_page(store, needle, 7, before=cursor, budget_s=0)
        seen += reversed([e.seq for e in page.events])
        cursor = page.next_cursor
    assert seen == EXPECTED[::-1]
    unbounded = search_page(store, needle, 1000, after=0, budget_s=60)
    assert [e.seq for e in unbounded.events] == EXPECTED and not unbounded.partial and unbounded.next_cursor is None


def test_count_is_a_lower_bound_when_the_budget_runs_out(store):
    short = count_matching(store, EventFilter(text="NEEDLE"), budget_s=0)
    assert short["exact"] is False and short["counted_from"] == N - FIRST_WINDOW + 1
    assert short["matching"] == sum(1 for s in EXPECTED if s >= short["counted_from"])
    full = count_matching(store, EventFilter(text="NEEDLE"), budget_s=60)
    assert full == {"matching": len(EXPECTED), "total": N, "exact": True, "counted_from": 1}
    # a type filter narrows the walk to that type's rows through the index: exact even with no budget
    typed = count_matching(store, EventFilter(("alert",)), budget_s=0)
    assert typed["exact"] and typed["matching"] == len(EXPECTED)
