"""Helpers for the browser tests: open the page of a real server, read it, and a proxy that refuses WebSockets.

The page is driven with dash[testing]'s ``dash_br`` (headless Chromium, no
server of its own) against the real ``python app.py`` of the ``server``
fixture. Waits poll conditions; nothing sleeps to synchronise.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server import wait_until

pytestmark = pytest.mark.browser

# what Chromium logs as SEVERE when a server is down or refuses the socket on purpose (the tests that
# stop the server or refuse /ws expect these and nothing else)
EXPECTED_NETWORK_ERRORS = (
    "ERR_CONNECTION_REFUSED",
    "WebSocket connection to",
    "ERR_CONNECTION_RESET",
    "ERR_EMPTY_RESPONSE",
    # dash-renderer's word for a server-side callback (the alerts card polls every 5 s) sent while the server is down
    "Callback failed: the server did not respond",
)


def open_page(dash_br: Any, url: str) -> None:
    """Load the dashboard and wait until Dash has rendered it."""
    dash_br.driver.set_window_size(1280, 900)
    dash_br.driver.get(url)
    dash_br.wait_for_element("#status-badge", timeout=20)


def text_of(dash_br: Any, element_id: str) -> str:
    return str(
        dash_br.driver.execute_script(
            f"const e = document.getElementById('{element_id}'); return e ? e.textContent : null"
        )
        or ""
    )


def wait_badge(dash_br: Any, *states: str, timeout: float = 20) -> str:
    """Wait until the connection badge names one of ``states``; returns the one it shows."""
    return str(
        wait_until(
            lambda: (t := text_of(dash_br, "status-badge")) in states and t,
            timeout,
            0.05,
            f"the status badge to say one of {states} (it says {text_of(dash_br, 'status-badge')!r})",
        )
    )


def feed_seqs(dash_br: Any) -> list[int]:
    """data-seq of every row in the activity feed, top to bottom."""
    script = "return Array.from(document.querySelectorAll('#activity-feed [data-seq]')).map(e => +e.dataset.seq)"
    return list(dash_br.driver.execute_script(script))


def feed_categories(dash_br: Any) -> list[str]:
    script = (
        "return Array.from(document.querySelectorAll('#activity-feed [data-category]')).map(e => e.dataset.category)"
    )
    return list(dash_br.driver.execute_script(script))


def trace_lengths(dash_br: Any, graph_id: str) -> list[int]:
    """The points of each trace of a graph (its null points, the breaks at gaps, are not points)."""
    script = (
        f"const g = document.getElementById('{graph_id}');"
        "const p = g && (g.classList.contains('js-plotly-plot') ? g : g.querySelector('.js-plotly-plot'));"
        "return p && p.data ? p.data.map(t => Array.from(t.y || []).filter(v => v !== null).length) : []"
    )
    return list(dash_br.driver.execute_script(script))


def console_errors(dash_br: Any, allow: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """SEVERE console entries, less the expected network errors named in ``allow``."""
    return [e for e in dash_br.get_logs() if not any(a in e["message"] for a in allow)]


class _RefuseWebSocketProxy(BaseHTTPRequestHandler):
    """Forwards plain HTTP to the real server and answers every WebSocket upgrade with 403."""

    upstream: tuple[str, int] = ("127.0.0.1", 0)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _forward(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            body = b'{"error": "this proxy does not pass WebSockets"}'
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        # the Host is passed on as a reverse proxy does (nginx: proxy_set_header Host $host), so the
        # page's Origin (the proxy's port) is the request's own Host to the server's Origin check
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"connection", "keep-alive"}}
        conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except OSError:
            self.send_error(502)
            return
        finally:
            conn.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in {"connection", "keep-alive", "transfer-encoding", "content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815


@pytest.fixture
def ws_refusing_proxy(server: Any) -> Iterator[str]:
    """The URL of a proxy in front of ``server`` that passes HTTP but refuses /ws (as some corporate proxies do)."""
    split = urlsplit(server.url)
    handler = type("Handler", (_RefuseWebSocketProxy,), {"upstream": (split.hostname, split.port)})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    proxy.daemon_threads = True
    thread = threading.Thread(target=proxy.serve_forever, name="ws-refusing-proxy", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()
    proxy.server_close()


def figure_data(dash_br: Any, graph_id: str) -> list[dict[str, list[Any]]]:
    """The x and y arrays and the mode of every trace, read back from the graph's plot in the DOM."""
    script = (
        "const g = document.getElementById(arguments[0]);"
        "const p = g && (g.classList.contains('js-plotly-plot') ? g : g.querySelector('.js-plotly-plot'));"
        "return p && p.data ? p.data.map(t => ({x: Array.from(t.x || []), y: Array.from(t.y || []), mode: t.mode})) : []"
    )
    return list(dash_br.driver.execute_script(script, graph_id) or [])


def read_head(client: socket.socket) -> bytes | None:
    """A relay's first read: the bytes up to the end of the request's headers (and any after them in the
    same reads), or None (the connection closed) when the client left first."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(65536)
        if not chunk:
            client.close()
            return None
        head += chunk
    return head


def pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes one way until either side closes, then shut both (one direction of a TCP relay)."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def rows(dash_br: Any, container_id: str, key: str) -> dict[str, dict[str, str]]:
    """The rows of a panel by their ``data-<key>``: {key value: {every data-* attribute, "text": ...}}."""
    script = (
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' [data-' + arguments[1] + ']'))"
        ".map(e => Object.assign({text: e.textContent}, e.dataset))"
    )
    found = dash_br.driver.execute_script(script, container_id, key) or []
    return {r[key]: r for r in found}
