"""POST /api/events against the real server: the four forms, validation, limits, idempotency."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cloudevents.v1.conversion import to_binary, to_structured
from cloudevents.v1.http import CloudEvent

NOTE = {"type": "notification", "data": {"level": "info", "title": "deploy finished"}}


def stored(server, **params) -> list[dict]:
    return server.get("/api/events", params=params).json()["events"]


def test_single_event_fills_envelope(server):
    r = server.post(NOTE)
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 1, "duplicates": 0, "first_seq": 1, "last_seq": 1}
    [event] = stored(server)
    assert event["seq"] == 1 and event["specversion"] == "1.0" and event["source"] == "api"
    assert event["id"] and event["time"].endswith("Z") and event["data"] == NOTE["data"]


def test_array_is_stored_in_order(server):
    batch = [{"type": "user.activity", "data": {"user": f"u{i}", "action": "login"}} for i in range(5)]
    r = server.post(batch)
    assert r.json() == {"accepted": 5, "duplicates": 0, "first_seq": 1, "last_seq": 5}
    assert [e["data"]["user"] for e in stored(server)] == [f"u{i}" for i in range(5)]


def test_cloudevents_sdk_structured_and_batch_and_binary(server):
    event = CloudEvent({"type": "ml.model.update", "source": "registry"}, {"model": "resnet", "version": "3"})
    headers, body = to_structured(event)
    assert requests.post(server.url + "/api/events", data=body, headers=headers).status_code == 202

    batch = [
        CloudEvent({"type": "plugin.update", "source": "pm"}, {"plugin": "p", "version": str(i)}) for i in range(2)
    ]
    r = requests.post(
        server.url + "/api/events",
        data=json.dumps([json.loads(to_structured(e)[1]) for e in batch]),
        headers={"Content-Type": "application/cloudevents-batch+json"},
    )
    assert r.status_code == 202 and r.json()["accepted"] == 2

    binary = CloudEvent({"type": "alert", "source": "pager", "id": "bin-1"}, {"severity": "critical", "title": "disk"})
    headers, body = to_binary(binary)
    assert requests.post(server.url + "/api/events", data=body, headers=headers).status_code == 202

    events = stored(server)
    assert [e["type"] for e in events] == ["ml.model.update", "plugin.update", "plugin.update", "alert"]
    assert events[3]["id"] == "bin-1" and events[3]["source"] == "pager" and events[3]["data"]["title"] == "disk"


def test_unknown_type_matching_pattern_is_accepted(server):
    assert server.post({"type": "billing.invoice.paid", "data": {"amount": 3}}).status_code == 202
    assert stored(server)[0]["type"] == "billing.invoice.paid"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"type": "notification", "data": {"level": "fatal", "title": "x"}}, "data.level"),
        ({"type": "notification", "data": {"level": "info"}}, "data.title"),
        ({"type": "ml.training.progress", "data": {"job": "j", "progress": 1.5, "state": "running"}}, "data.progress"),
        ({"type": "system.metrics", "data": {"cpu.percent": "high"}}, "data.cpu.percent"),
        ({"type": "Bad Type", "data": {}}, "type"),
        ({"data": {}}, "type"),
        ({"type": "x"}, "data"),
        ({"type": "x", "data": [1]}, "data"),
        ({"type": "x", "data": {}, "time": "yesterday"}, "time"),
        ({"type": "x", "data": {}, "specversion": "0.3"}, "specversion"),
        ({"type": "x", "data": {}, "id": 7}, "id"),
    ],
)
def test_invalid_event_is_400_with_field(server, event, field):
    r = server.post([NOTE, event])
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["index"] == 1 and body["field"] == field and body["error"].startswith("event 1:")
    assert stored(server) == [], "all-or-nothing: the valid first event must not be stored"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"type": "x", "data": {"v": NaN}}', b"\xff\xfe", b"[" * 2000 + b"]" * 2000, b"", b"42"],
)
def test_malformed_bodies_are_400(server, body):
    r = requests.post(server.url + "/api/events", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert "error" in r.json()
    assert stored(server) == []


def test_wrong_content_type_is_415(server):
    r = requests.post(server.url + "/api/events", data="type=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.json()["error"]


def test_limits_are_413(server):
    too_many = [{"type": "x", "data": {}}] * 1001
    r = server.post(too_many)
    assert r.status_code == 413 and "1000" in r.json()["error"]
    big_data = {"type": "x", "data": {"blob": "a" * 70_000}}
    r = server.post(big_data)
    assert r.status_code == 413 and r.json()["field"] == "data"
    r = requests.post(
        server.url + "/api/events", data=b" " * (1_048_576 + 10), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert stored(server) == []


def test_same_source_and_id_is_a_duplicate(server):
    event = {**NOTE, "id": "job-42", "source": "ci"}
    assert server.post(event).json()["accepted"] == 1
    again = server.post([event, {**event, "id": "job-43"}]).json()
    assert again == {"accepted": 1, "duplicates": 1, "first_seq": 2, "last_seq": 2}
    same_in_batch = server.post([{**event, "id": "z"}, {**event, "id": "z"}]).json()
    assert same_in_batch["accepted"] == 1 and same_in_batch["duplicates"] == 1
    other_source = server.post({**event, "source": "other"}).json()
    assert other_source["accepted"] == 1
    assert len(stored(server)) == 4


def test_unknown_api_path_is_json_404(server):
    r = server.get("/api/nope")
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/json"
    assert "openapi" in r.json()["error"]


def test_token_required_when_set(server_factory, tmp_path):
    server = server_factory("--no-collector", "--token", "s3cret", data_dir=tmp_path / "tok")
    assert server.post(NOTE).status_code == 401
    assert server.post(NOTE, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert server.post(NOTE, headers={"Authorization": "Bearer s3cret"}).status_code == 202
    assert "s3cret" not in server.output()


def test_token_generated_and_printed_when_bound_beyond_loopback(server_factory, tmp_path):
    server = server_factory("--no-collector", "--host", "0.0.0.0", data_dir=tmp_path / "open")
    line = next(line for line in server.output().splitlines() if "ingest token is" in line)
    token = line.rsplit(" ", 1)[1]
    assert server.post(NOTE).status_code == 401
    assert server.post(NOTE, headers={"Authorization": f"Bearer {token}"}).status_code == 202


def test_full_batches_from_concurrent_producers_are_each_stored_once_in_order(server):
    # batches of the limit, posted at once, share writer transactions and span several INSERTs each
    def post(k: int) -> dict:
        batch = [{"type": "bench.load", "data": {"k": k, "i": i}} for i in range(1000)]
        r = requests.post(server.url + "/api/events", json=batch, timeout=60)
        assert r.status_code == 202, r.text
        return r.json()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(post, range(8)))
    assert all(r["accepted"] == 1000 and r["last_seq"] - r["first_seq"] == 999 for r in results)
    events = []
    while page := stored(server, after=events[-1]["seq"] if events else 0, limit=5000):
        events += page
    assert [e["seq"] for e in events] == list(range(1, 8001))
    assert len({e["id"] for e in events}) == 8000
    for r in results:
        mine = events[r["first_seq"] - 1 : r["last_seq"]]
        assert len({e["data"]["k"] for e in mine}) == 1
        assert [e["data"]["i"] for e in mine] == list(range(1000))


def test_a_bad_last_event_in_a_full_batch_stores_nothing(server):
    batch = [NOTE] * 999 + [{"type": "notification", "data": {"level": "info"}}]
    r = server.post(batch)
    assert r.status_code == 400 and r.json()["index"] == 999 and r.json()["field"] == "data.title"
    assert stored(server) == []
