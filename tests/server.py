"""Start the real server (``python app.py``) as a process on a free port, for tests.

If it dies or never answers, the test fails with the server's own output.
The process runs in its own session so that ``kill_hard`` can SIGKILL the
gunicorn master and its worker together, like a machine losing power.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def checkout_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a process run from this checkout (the server, a CLI).

    The publishing client is its own distribution (clients/python): put this checkout's copy
    on the path, as pytest's ``pythonpath`` does for the tests, whatever copy a venv holds.
    """
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "clients" / "python"), env.get("PYTHONPATH", "")) if p)
    return env


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02, message: str = "") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or condition}")
        time.sleep(interval)


class ServerProcess:
    def __init__(self, data_dir: Path, *args: str, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.args = list(args)
        self.port = port or free_port()
        self.env = checkout_env(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="mova-server-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def start(self, timeout: float = 30.0) -> ServerProcess:
        cmd = [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), "--data-dir", str(self.data_dir)]
        self.proc = subprocess.Popen(
            cmd + self.args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        os.killpg(self.proc.pid, signal.SIGKILL)  # never leave a half-started server behind
        self.proc.wait(timeout=10)
        raise AssertionError(f"server did not answer within {timeout}s:\n{self.output()}")

    def kill_hard(self) -> None:
        """SIGKILL the whole process group: no chance to flush or close anything."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                raise AssertionError(f"server ignored signal {sig} for {timeout}s:\n{self.output()}") from None
        return int(self.proc.returncode)

    def post(self, events: Any, **kwargs: Any) -> requests.Response:
        return requests.post(self.url + "/api/events", json=events, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.get(self.url + path, timeout=10, **kwargs)
