"""hub.publish against the real server: batching, order, retries across a restart, rejection, logging, CLI."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.publish import Publisher, PublishHandler, retry_after_seconds
from tests.server import ROOT, checkout_env, wait_until


def all_events(server, **params) -> list[dict]:
    events: list[dict] = []
    after = 0
    while True:
        page = server.get("/api/events", params={"after": after, "limit": 5000, **params}).json()
        events += page["events"]
        if not page["more"]:
            return events
        after = events[-1]["seq"]


def settled(stats) -> int:
    return stats.accepted + stats.duplicates + stats.rejected + stats.dropped + stats.abandoned


def test_thousand_events_are_stored_once_in_order(server):
    with Publisher(server.url, source="svc/bulk", batch_size=100) as pub:
        ids = [pub.publish("user.activity", {"user": "u", "action": "step", "target": str(i)}) for i in range(1000)]
        assert pub.flush(timeout=30)
        stats = pub.stats
    assert stats.accepted == 1000 and stats.duplicates == 0 and stats.rejected == 0 and stats.pending == 0
    assert stats.batches >= 10  # batched, not one POST per event
    events = all_events(server)
    assert [e["data"]["target"] for e in events] == [str(i) for i in range(1000)]
    assert [e["id"] for e in events] == ids
    assert {e["source"] for e in events} == {"svc/bulk"}


def test_restart_mid_way_retries_without_duplicates(server_factory, tmp_path):
    data_dir = tmp_path / "restart"
    first = server_factory("--no-collector", data_dir=data_dir)
    pub = Publisher(first.url, source="svc/restart", batch_size=20, flush_interval=0.01, backoff_max=0.5)
    try:
        for i in range(300):
            pub.publish("user.activity", {"user": "u", "action": "step", "target": str(i)})
        wait_until(lambda: pub.stats.accepted >= 40, 20, message="a first part stored")
        first.stop()  # events published now meet a refused connection (or a 503 while it stops)
        for i in range(300, 600):
            pub.publish("user.activity", {"user": "u", "action": "step", "target": str(i)})
        wait_until(lambda: pub.stats.retries > 0, 20, message="the publisher retrying")
        second = server_factory("--no-collector", data_dir=data_dir, port=first.port)
        assert pub.flush(timeout=60), pub.stats
    finally:
        pub.close(timeout=5)
    stats = pub.stats
    events = all_events(second)
    assert [e["data"]["target"] for e in events] == [str(i) for i in range(600)]
    assert len({e["id"] for e in events}) == 600
    assert stats.accepted + stats.duplicates == 600 and stats.rejected == 0 and stats.dropped == 0
    assert stats.retries > 0


def test_invalid_event_is_rejected_not_retried_and_the_rest_is_stored(server):
    pub = Publisher(server.url, source="svc/bad", flush_interval=0.5)
    try:
        pub.publish("notification", {"level": "info", "title": "before"})
        pub.publish("notification", {"level": "loud", "title": "bad level"})  # 400: level is not one of the four
        pub.publish("notification", {"level": "info", "title": "after"})
        assert pub.flush(timeout=10)
        stats = pub.stats
    finally:
        pub.close()
    assert stats.rejected == 1 and stats.accepted == 2 and stats.retries == 0
    assert "data.level" in stats.last_error
    assert [e["data"]["title"] for e in all_events(server)] == ["before", "after"]


def test_wrong_token_rejects_the_batch_without_retrying(server_factory):
    server = server_factory("--no-collector", "--token", "s3cret")
    with Publisher(server.url, token="wrong", source="svc/tok") as pub:
        pub.publish("notification", {"level": "info", "title": "nope"})
        assert pub.flush(timeout=10)
        assert pub.stats.rejected == 1 and pub.stats.retries == 0 and "401" in pub.stats.last_error
    with Publisher(server.url, token="s3cret", source="svc/tok") as pub:
        pub.publish("notification", {"level": "info", "title": "yes"})
        assert pub.flush(timeout=10) and pub.stats.accepted == 1


def test_full_buffer_drops_the_oldest(server_factory):
    # nothing listens on this port: every event stays queued, so the buffer bound is what decides
    from tests.server import free_port

    pub = Publisher(f"http://127.0.0.1:{free_port()}", source="svc/full", max_buffer=10, backoff_max=0.05)
    try:
        ids = [pub.publish("user.activity", {"user": "u", "action": str(i)}) for i in range(50)]
        assert len(set(ids)) == 50
        stats = pub.stats
        assert stats.dropped >= 30 and stats.pending <= 10 + 100  # at most the buffer plus one batch in flight
    finally:
        assert pub.close(timeout=0.2) is False
    stats = pub.stats
    assert stats.pending == 0 and settled(stats) == 50 and stats.abandoned > 0
    with pytest.raises(RuntimeError):
        pub.publish("user.activity", {"user": "u", "action": "late"})


def test_log_handler_publishes_warnings_and_errors(server):
    pub = Publisher(server.url, source="svc/logs")
    handler = PublishHandler(pub)
    log = logging.getLogger("svc.payments")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        log.info("not published: below WARNING")
        log.warning("queue is slow\nsecond line")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("charge failed")
        log.critical("database gone")
        logging.getLogger("mova_publish").warning("the publisher's own records are ignored")
        assert pub.flush(timeout=10)
    finally:
        log.removeHandler(handler)
        pub.close()
    events = all_events(server)
    assert [(e["type"], e["data"]["level"], e["data"]["title"]) for e in events] == [
        ("notification", "warning", "queue is slow"),
        ("notification", "error", "charge failed"),
        ("notification", "error", "database gone"),
    ]
    assert {e["source"] for e in events} == {"svc.payments"}
    assert "second line" in events[0]["data"]["message"]
    assert "ValueError: boom" in events[1]["data"]["message"] and "Traceback" in events[1]["data"]["message"]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub.publish", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env=checkout_env(env),
    )


def test_cli_posts_and_prints_the_answer(server):
    done = run_cli("notification", '{"level": "success", "title": "backup done"}', "--url", server.url, "--id", "b-1")
    assert done.returncode == 0, done.stderr
    assert '"accepted":1' in done.stdout.replace(" ", "")
    again = run_cli("notification", '{"level": "success", "title": "backup done"}', "--url", server.url, "--id", "b-1")
    assert again.returncode == 0 and '"duplicates":1' in again.stdout.replace(" ", "")
    [event] = all_events(server)
    assert event["id"] == "b-1" and event["source"] == "cli" and event["data"]["title"] == "backup done"


def test_cli_fails_with_the_hubs_error(server):
    done = run_cli("notification", '{"level": "loud", "title": "x"}', "--url", server.url)
    assert done.returncode == 1
    assert "data.level" in done.stderr and "400" in done.stderr
    assert all_events(server) == []


def test_cli_token_from_environment_and_unreachable_hub(server_factory):
    import os

    server = server_factory("--no-collector", "--token", "tok")
    env = {**os.environ, "MOVA_TOKEN": "tok"}
    assert run_cli("user.presence", '{"user": "ann", "state": "online"}', "--url", server.url, env=env).returncode == 0
    refused = run_cli("user.presence", '{"user": "ann", "state": "online"}', "--url", server.url)
    assert refused.returncode == 1 and "401" in refused.stderr
    server.stop()
    gone = run_cli("user.presence", '{"user": "ann", "state": "online"}', "--url", server.url)
    assert gone.returncode == 3 and "cannot reach" in gone.stderr


def test_retry_after_header_forms():
    assert retry_after_seconds("3") == 3.0 and retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Thu, 26 Nov 2026 14:00:10 GMT", now=1795701600.0) == 10.0


def test_429_and_5xx_are_retried_honouring_retry_after():
    # the hub has no rate limit yet, so a stand-in answers 429 (Retry-After: 1), then 503, then 202
    answers = [(429, {"Retry-After": "1"}), (503, {}), (202, {})]
    seen: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(time.monotonic())
            status, headers = answers[min(len(seen), len(answers)) - 1]
            n = len(json.loads(body))
            payload = json.dumps({"accepted": n, "duplicates": 0} if status == 202 else {"error": "busy"}).encode()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    stub = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        with Publisher(f"http://127.0.0.1:{stub.server_port}", source="svc/429", backoff_max=0.05) as pub:
            pub.publish("notification", {"level": "info", "title": "x"})
            assert pub.flush(timeout=10)
            assert pub.stats.retries == 2 and pub.stats.accepted == 1
    finally:
        stub.shutdown()
    assert len(seen) == 3 and seen[1] - seen[0] >= 1.0  # waited the Retry-After, not the 0.05 s backoff
