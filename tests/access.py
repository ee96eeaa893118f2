"""Helpers for the sign-in tests: the real CLI to add users and tokens, and signed-in HTTP sessions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
import websocket

from tests.server import ROOT, ServerProcess

PASSWORD = "correct-horse-battery"


def cli(*args: str, stdin: str = "", backend: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``python app.py ARGS`` as an admin would type it; the password goes in on stdin."""
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args, *backend],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def add_user(data_dir: Path, name: str, role: str, password: str = PASSWORD, backend: tuple[str, ...] = ()) -> None:
    done = cli(
        "users", "add", name, "--role", role, "--data-dir", str(data_dir), stdin=password + "\n", backend=backend
    )
    assert done.returncode == 0, done.stderr


def create_token(data_dir: Path, name: str, *scopes: str, backend: tuple[str, ...] = ()) -> str:
    args = [a for s in scopes for a in ("--scope", s)]
    done = cli("tokens", "create", name, *args, "--data-dir", str(data_dir), backend=backend)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def login(server: ServerProcess, name: str, password: str = PASSWORD) -> requests.Session:
    """A signed-in HTTP session whose unsafe requests carry the Origin and CSRF token a page would send."""
    session = requests.Session()
    # a new connection per request: tests wait seconds between requests, past the server's keep-alive,
    # and a pooled connection the server has just closed would fail the next request (connection reset)
    session.headers["Connection"] = "close"
    response = session.post(server.url + "/login", json={"name": name, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    session.headers["X-CSRF-Token"] = response.json()["csrf"]
    session.headers["Origin"] = server.url
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def open_socket(
    server: ServerProcess, session: requests.Session | None = None, token: str | None = None, timeout: float = 10
) -> websocket.WebSocket:
    """A raw /ws connection signed in by a session cookie or a Bearer token; its hello is read."""
    headers = [f"Authorization: Bearer {token}"] if token else []
    ws = websocket.create_connection(
        server.ws_url, timeout=timeout, cookie=cookie_header(session) if session else None, header=headers
    )
    assert '"hello"' in ws.recv()
    return ws


def close_code(ws: websocket.WebSocket, timeout: float = 15) -> int:
    """Read until the server's close frame; its status code."""
    ws.settimeout(timeout)
    while True:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(data[:2], "big")
