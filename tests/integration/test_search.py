"""Search, type filter and counts over the whole retained history (GET /api/events q, type, count, before).

A store contract: the Makefile runs it again on PostgreSQL (MOVA_TEST_BACKEND=scale), and
the expected answers are computed here from what was posted, so both stores must agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import SCALE
from tests.server import ServerProcess

N = 300


def _event(i: int) -> dict[str, Any]:
    if i % 10 == 0:
        return {"type": "alert", "data": {"severity": "warning", "title": f"Needle in disk {i}"}}
    if i % 10 == 1:
        return {"type": "alert", "data": {"severity": "info", "title": f"quota {i}"}}
    if i % 10 == 2:  # the word only as a key and a number: keys never match
        return {"type": "custom.thing", "data": {"needle": i, "nested": {"needle": True}}}
    if i % 10 == 3:  # nested string values do match
        return {"type": "custom.thing", "data": {"deep": {"list": ["hay", f"NEEDLE-{i}"]}}}
    if i % 10 == 4:
        return {"type": "user.activity", "source": "needle-service", "data": {"user": "ann", "action": "open"}}
    if i % 10 == 5:
        return {"type": "needlework.done", "data": {"any": "thing"}}
    if i % 10 == 6:  # a quote and a backslash, matched as the text reads, not as stored JSON escapes them
        return {"type": "notification", "data": {"level": "info", "title": f'say "hi\\there" {i}'}}
    if i % 10 == 7:  # case folding is ASCII only (SQLite's lower()), the same on both stores
        return {"type": "notification", "data": {"level": "info", "title": f"Élan {i}"}}
    return {"type": "user.activity", "data": {"user": f"u{i}", "action": "login"}}


def _matches(i: int, text: str) -> bool:
    event = _event(i)
    strings = [event["type"], event.get("source", "api")]

    def walk(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(event["data"])
    fold = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
    return any(text.translate(fold) in s.translate(fold) for s in strings)


@pytest.fixture(scope="module")
def search_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    backend: list[str] = []
    if SCALE:
        services = request.getfixturevalue("scale_services")
        backend = ["--store-url", services.postgres.create_database(), "--bus-url", services.redis.url]
    server = ServerProcess(tmp_path_factory.mktemp("search") / "data", "--no-collector", *backend).start()
    try:
        events = [_event(i) for i in range(N)]
        for k in range(0, N, 100):
            assert server.post(events[k : k + 100]).status_code == 202
        yield server
    finally:
        server.stop()


def _seqs(events: list[dict[str, Any]]) -> list[int]:
    return [e["seq"] for e in events]


def _older_pages(server: ServerProcess, **params: Any) -> list[int]:
    """Every matching seq, newest first, by "Load older": before= the page's next_before until more is false."""
    seen: list[int] = []
    before = 2**62  # the newest page: any before past last_seq
    for _ in range(200):
        page = server.get("/api/events", params={**params, "before": before}).json()
        seqs = _seqs(page["events"])
        assert seqs == sorted(seqs), "a page is oldest first"
        seen += reversed(seqs)
        if not page["more"]:
            assert page["next_before"] is None
            return seen
        before = page["next_before"]
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("text", ["needle", "NEEDLE", 'hi\\there"', "Élan", "élan", "hay"])
def test_search001_q_matches_type_source_and_data_strings_never_keys(search_server, text):
    expected = [i + 1 for i in range(N) if _matches(i, text)]
    page = search_server.get("/api/events", params={"q": text, "limit": 5000, "count": 1}).json()
    assert _seqs(page["events"]) == expected
    assert page["partial"] is False and page["more"] is False
    assert (page["matching"], page["total"], page["matching_exact"]) == (len(expected), N, True)
    if text.lower() == "needle":
        # the key-only events (i % 10 == 2) are not found; type, source, nested list strings are
        assert not any(e["type"] == "custom.thing" and "needle" in e["data"] for e in page["events"])
        assert {e["type"] for e in page["events"]} == {"alert", "custom.thing", "user.activity", "needlework.done"}


def test_search002_load_older_continues_the_filtered_query_over_the_whole_history(search_server):
    expected = [i + 1 for i in reversed(range(N)) if i % 10 in (0, 1)]
    assert _older_pages(search_server, type="alert", limit=7) == expected
    with_text = [i + 1 for i in reversed(range(N)) if i % 10 == 0]
    assert _older_pages(search_server, type="alert", q="needle", limit=4) == with_text
    both = [i + 1 for i in reversed(range(N)) if _matches(i, "needle") and i % 10 in (0, 1, 2, 3)]
    assert _older_pages(search_server, type=["alert", "custom"], q="needle", limit=3) == both
    # the newest page first, then older ones: a page's next_before is its oldest seq
    first = search_server.get("/api/events", params={"type": "alert", "limit": 3, "before": N + 1}).json()
    assert _seqs(first["events"]) == [282, 291, 292] and first["next_before"] == 282


def test_search003_newer_pages_and_count_with_type_and_time(search_server):
    page = search_server.get("/api/events", params={"q": "needle", "after": 250, "limit": 3}).json()
    expected = [i + 1 for i in range(250, N) if _matches(i, "needle")]
    assert _seqs(page["events"]) == expected[:3] and page["more"] is True
    assert page["next_after"] == expected[2]
    counted = search_server.get("/api/events", params={"type": "alert", "count": 1, "limit": 1}).json()
    assert (counted["matching"], counted["total"], counted["matching_exact"]) == (60, N, True)
    none = search_server.get("/api/events", params={"type": "nothing.here", "q": "x", "count": 1}).json()
    assert none["events"] == [] and none["matching"] == 0 and none["more"] is False
    future = search_server.get("/api/events", params={"q": "needle", "since": -3600, "count": 1}).json()
    assert future["events"] == [] and future["matching"] == 0


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"q": "x" * 201}, "q"),
        ({"count": 2}, "count"),
        ({"count": "yes"}, "count"),
        ({"q": "a", "type": "Bad!"}, "type"),
    ],
)
def test_search004_bad_parameters_are_400(search_server, params, parameter):
    r = search_server.get("/api/events", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["parameter"] == parameter and r.json()["error"]
