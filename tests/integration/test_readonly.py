"""The data dir turning read-only under the running server: 503 with a clear message, degraded health, recovery.

Tests run as root, so chmod stops nothing, and a read-only remount fails with
EBUSY while SQLite holds the db and WAL open for writing. So strace injects the
kernel's own EROFS ("Read-only file system") into the server worker's file
writes: ``pwrite64`` (SQLite's WAL frames and checkpoints), ``fdatasync`` and
``fsync`` (its flushes) and ``ftruncate`` (WAL resets). Sockets use other
system calls (``sendto``, ``write``, ``recvfrom``), so HTTP and the WebSocket keep
working. Stopping strace detaches it: the disk is writable again. If strace is
missing (``make fault-deps``) or may not attach (no CAP_SYS_PTRACE), the tests
skip with the reason.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests
import websocket

from tests.server import ServerProcess, wait_until
from tests.wsclient import StreamClient

# what SQLite calls to put bytes on disk; "write" is left alone: sockets and pipes use it too
SQLITE_WRITES = "pwrite64,fdatasync,fsync,ftruncate"
FLUSHES_ONLY = "fdatasync,fsync"  # the bytes reached the page cache, the flush fails
SPELLS = 5


def tracers(pid: int) -> set[int]:
    """The TracerPid of every thread of ``pid`` (0: not traced)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that just ended
            for line in (task / "status").read_text().splitlines():
                if line.startswith("TracerPid:"):
                    found.add(int(line.split()[1]))
    return found


class ReadOnlyDisk:
    """Every ``syscalls`` call of process ``pid`` (all its threads) fails with EROFS until ``stop``."""

    def __init__(self, pid: int, syscalls: str = SQLITE_WRITES) -> None:
        self.pid = pid
        self.syscalls = syscalls
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ReadOnlyDisk:
        # strace 6.1 injects only into the syscalls it traces: trace them, print nowhere; -qq leaves
        # only errors on stderr (no line per thread attached), so the pipe never fills
        cmd = ["strace", "-qq", "-f", "-p", str(self.pid), "-o", "/dev/null", "-e", f"trace={self.syscalls}"]
        cmd += ["-e", f"inject={self.syscalls}:error=EROFS:when=1+"]
        self.proc = proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until(lambda: proc.poll() is not None or tracers(self.pid) == {proc.pid}, 30, message="strace to attach")
        if proc.poll() is not None:
            assert proc.stderr is not None
            error = proc.stderr.read().decode(errors="replace").strip()
            raise AssertionError(f"strace exited with {proc.returncode}: {error}")
        return self

    def stop(self) -> None:
        """The disk is writable again: strace detaches on SIGTERM."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        self.proc.communicate(timeout=30)
        wait_until(lambda: tracers(self.pid) <= {0}, 30, message="strace to detach")


@pytest.fixture(scope="module")
def can_inject() -> None:
    """Skip, with the concrete reason, where strace is missing or may not attach to a process it did not start."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (make fault-deps)")
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        probe = ReadOnlyDisk(sleeper.pid, "nanosleep")
        try:
            probe.start()
        except AssertionError as exc:
            pytest.skip(f"strace cannot attach to another process here (CAP_SYS_PTRACE?): {exc}")
        probe.stop()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.fixture
def read_only(can_inject: None) -> Iterator[Any]:
    """``read_only(server, syscalls)`` starts the fault in the server's worker; every fault is stopped at the end."""
    faults: list[ReadOnlyDisk] = []

    def start(server: ServerProcess, syscalls: str = SQLITE_WRITES) -> ReadOnlyDisk:
        fault = ReadOnlyDisk(worker_pid(server), syscalls)
        faults.append(fault)
        return fault.start()

    yield start
    for fault in faults:
        fault.stop()


def worker_pid(server: ServerProcess) -> int:
    """The gunicorn worker, the one process that holds the store (the master only supervises)."""
    assert server.proc is not None
    workers = psutil.Process(server.proc.pid).children()
    assert len(workers) == 1, workers
    return int(workers[0].pid)


def note(key: str) -> dict[str, Any]:
    return {"type": "notification", "id": key, "source": "ro", "data": {"level": "info", "title": key}}


def all_events(server: ServerProcess) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        after = events[-1]["seq"] if events else 0
        page = server.get("/api/events", params={"after": after, "limit": 5000}).json()
        events += page["events"]
        if not page["more"]:
            return events


def assert_clear_503(response: requests.Response) -> str:
    """A 503 in the JSON error shape that names the cause and says what to do."""
    assert response.status_code == 503, (response.status_code, response.text)
    message = response.json()["error"]
    assert "could not write" in message and "Read-only file system" in message, message
    assert "nothing was stored" in message and "retry" in message, message
    return str(message)


class Listener(threading.Thread):
    """A real WebSocket client whose frames a thread collects, so that tests can wait on them in any order."""

    def __init__(self, server: ServerProcess, after: int) -> None:
        super().__init__(daemon=True)
        self.client = StreamClient(server.ws_url, after=after, timeout=120)
        self.frames: list[dict[str, Any]] = []
        self.start()

    def run(self) -> None:
        with contextlib.suppress(websocket.WebSocketException, OSError, ValueError):  # closed at teardown
            while True:
                self.frames.append(self.client.next())

    def seqs(self) -> list[int]:
        return [e["seq"] for f in list(self.frames) if f["kind"] == "events" for e in f["events"]]

    def health(self) -> list[dict[str, Any]]:
        return [f for f in list(self.frames) if f["kind"] == "health"]


@pytest.mark.parametrize("syscalls", [SQLITE_WRITES, FLUSHES_ONLY], ids=["writes", "flushes"])
def test_readonly001_ingest_answers_503_degrades_and_recovers(server_factory, read_only, syscalls):
    server = server_factory("--no-collector")
    assert server.post({"type": "system.status", "data": {"state": "healthy"}}).status_code == 202
    before = server.post([note(f"a{i}") for i in range(3)])
    assert before.status_code == 202
    last = before.json()["last_seq"]
    listener = Listener(server, after=last)

    fault = read_only(server, syscalls)
    batch = [note(f"b{i}") for i in range(3)]
    assert_clear_503(server.post(batch))
    status = server.get("/api/status").json()
    assert status["health"]["state"] == "degraded", "degraded as soon as a write fails"
    assert "Read-only file system" in status["health"]["message"] and "writable" in status["health"]["message"]
    assert status["health"]["components"]["store"] == "degraded"
    assert_clear_503(server.post(note("c")))
    assert all_events(server)[-1]["seq"] == last, "nothing of a 503 is stored"
    assert server.get("/api/status").json()["last_seq"] == last
    degraded = wait_until(lambda: listener.health(), 30, message="a health frame on the socket")
    assert [f["state"] for f in degraded] == ["degraded"] and degraded[0]["message"] == status["health"]["message"]
    requests.get(server.url + "/api/health", timeout=10).raise_for_status()  # the server itself is up

    fault.stop()  # the disk is writable again
    # nobody posts yet: the idle writer's probe finds the disk writable and health recovers by itself
    wait_until(lambda: listener.health()[-1:] != degraded[-1:], 30, message="health to recover without a post")
    assert server.get("/api/status").json()["health"]["state"] == "healthy"
    retried = server.post(batch)  # the same retry now succeeds
    assert retried.status_code == 202, retried.text
    assert retried.json() == {"accepted": 3, "duplicates": 0, "first_seq": last + 1, "last_seq": last + 3}
    assert server.post(note("c")).status_code == 202
    assert server.get("/api/status").json()["health"]["state"] == "healthy"
    wait_until(lambda: len(listener.health()) == 2, 30, message="the recovery health frame")
    assert [f["state"] for f in listener.health()] == ["degraded", "healthy"]
    wait_until(lambda: listener.seqs()[-1:] == [last + 4], 30, message="the live client")
    assert listener.seqs() == list(range(last + 1, last + 5)), "each stored event once, none of the 503s"
    again = server.post(batch).json()
    assert again["accepted"] == 0 and again["duplicates"] == 3, "a second retry stores nothing twice"
    ids = [e["id"] for e in all_events(server) if e["source"] == "ro"]
    assert ids == ["a0", "a1", "a2", "b0", "b1", "b2", "c"], "every 202 stored exactly once, in order"


class Producer(threading.Thread):
    """POSTs batches of 5 with ids, retrying a batch until it gets a 202, like a well-behaved service."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.acknowledged: list[str] = []
        self.unavailable: list[str] = []  # the message of every 503
        self.unexpected: list[tuple[int, str]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        batch_no = 0
        while not self.stopped.is_set():
            batch = [note(f"p{batch_no}-{i}") for i in range(5)]
            while not self.stopped.is_set():
                r = requests.post(self.url + "/api/events", json=batch, timeout=60)
                if r.status_code == 202:
                    self.acknowledged += [e["id"] for e in batch]
                    break
                if r.status_code == 503:
                    self.unavailable.append(r.json()["error"])
                else:
                    self.unexpected.append((r.status_code, r.text))
                    return
            batch_no += 1


def test_readonly002_spells_under_load_store_every_202_once(server_factory, read_only):
    server = server_factory("--no-collector")
    assert server.post({"type": "system.status", "data": {"state": "healthy"}}).status_code == 202
    listener = Listener(server, after=1)
    producer = Producer(server.url)
    producer.start()
    try:
        for _ in range(SPELLS):
            acked, refused = len(producer.acknowledged), len(producer.unavailable)
            wait_until(lambda a=acked: len(producer.acknowledged) >= a + 25, 60, 0.05, "ingest flowing")
            fault = read_only(server)
            wait_until(lambda r=refused: len(producer.unavailable) >= r + 3, 60, 0.05, "503s while read-only")
            stuck = server.get("/api/status").json()
            assert stuck["health"]["state"] == "degraded"
            wait_until(lambda r=refused: len(producer.unavailable) >= r + 6, 60, 0.05, "more 503s")
            assert server.get("/api/status").json()["last_seq"] == stuck["last_seq"], "nothing stored while read-only"
            fault.stop()
            acked = len(producer.acknowledged)
            wait_until(lambda a=acked: len(producer.acknowledged) > a, 60, 0.05, "ingest to recover")
            assert server.get("/api/status").json()["health"]["state"] == "healthy"
    finally:
        producer.stopped.set()
        producer.join(timeout=90)
    assert producer.unexpected == [], "only 202 and 503, never a 500"
    assert all("could not write" in m and "retry" in m for m in producer.unavailable), set(producer.unavailable)
    # a write failing just as strace detaches finds the disk writable again when it asks why: no cause but SQLite's
    vague = [m for m in producer.unavailable if "Read-only file system" not in m]
    assert len(vague) <= SPELLS, set(producer.unavailable)
    events = all_events(server)
    ids = [e["id"] for e in events if e["source"] == "ro"]
    assert ids == producer.acknowledged, "every 202 stored exactly once, in order, and nothing else"
    expected = list(range(2, events[-1]["seq"] + 1))
    wait_until(lambda: listener.seqs()[-1:] == expected[-1:], 30, message="the live client")
    assert listener.seqs() == expected, "the live client saw each stored event once, in order"
    health = [f["state"] for f in listener.health()]  # a vague message in the spell pushes a second degraded frame
    spells = [state for i, state in enumerate(health) if i == 0 or state != health[i - 1]]
    assert spells == ["degraded", "healthy"] * SPELLS and len(health) <= 3 * SPELLS, health
