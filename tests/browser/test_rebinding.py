"""DNS rebinding in headless Chromium: a page on a foreign name that resolves to 127.0.0.1 gets nothing.

Chromium maps ``evil.test`` to 127.0.0.1 (``--host-resolver-rules``). The
attacker's page is served from ``http://evil.test:<port>/attack`` by a small
TCP relay that then passes every other request, byte for byte, to the real
server, exactly what a rebound DNS answer does: from then on the page's own
origin reaches MOVA with ``Host: evil.test:<port>``. The page tries to read
the events, post one, and open /ws through its own origin, then to post and
open /ws at http://127.0.0.1 directly (a foreign Origin). The control test
allows the name (``--allowed-host evil.test``) and sees the same page read:
the harness would notice a server that let the attack through.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from selenium import webdriver

from tests.browser.conftest import pipe, read_head
from tests.server import wait_until

ATTACK = """<!doctype html><title>evil</title><script>
window.results = {};
const R = window.results, target = 'http://127.0.0.1:%(port)d';
function socketTry(url, key) {
  return new Promise(done => {
    const ws = new WebSocket(url);
    ws.onmessage = e => { R[key + 'Message'] = R[key + 'Message'] || e.data; };
    ws.onopen = () => { R[key] = 'open'; };
    ws.onclose = e => { R[key] = R[key] || 'refused'; R[key + 'Close'] = e.code; done(); };
    setTimeout(() => { ws.close(); done(); }, 3000);
  });
}
(async () => {
  try {
    const read = await fetch('/api/events?after=0');
    R.read = read.status; R.readBody = await read.text();
    const post = await fetch('/api/events', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({type: 'notification', data: {level: 'error', title: 'rebound'}})});
    R.post = post.status;
    await socketTry('ws://' + location.host + '/ws?after=0', 'ws');
    // a cross-site write (the server answers 403; the browser may refuse it first: either way nothing lands)
    await fetch(target + '/api/events', {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'},
      body: JSON.stringify({type: 'notification', data: {level: 'error', title: 'cross-site'}})})
      .then(() => { R.crossPost = 'sent'; }, e => { R.crossPost = String(e); });
    await socketTry(target.replace('http', 'ws') + '/ws?after=0', 'direct');
  } catch (e) { R.exception = String(e); }
  R.done = true;
  document.body.innerText = JSON.stringify(R, null, 1);
})();
</script>"""


class RebindingRelay:
    """Serves the attack page at /attack; relays every other connection to the real server unchanged."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        head = read_head(client)
        if head is None:
            return
        if head.startswith(b"GET /attack "):
            body = (ATTACK % {"port": self.upstream_port}).encode()
            client.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                + b"Content-Length: %d\r\n\r\n" % len(body)
                + body
            )
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        upstream.sendall(head)
        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--host-resolver-rules=MAP evil.test 127.0.0.1")
    driver = webdriver.Chrome(options=options)
    try:
        yield driver
    finally:
        driver.quit()


def attack(chromium: Any, server: Any) -> dict[str, Any]:
    relay = RebindingRelay(server.port)
    try:
        chromium.get(f"http://evil.test:{relay.port}/attack")
        return dict(
            wait_until(
                lambda: (r := chromium.execute_script("return window.results")) and r.get("done") and r,
                20,
                0.05,
                "the attack page to finish",
            )
        )
    finally:
        relay.close()


def test_rebind001_foreign_name_reads_nothing_posts_nothing_opens_no_socket(chromium: Any, server: Any) -> None:
    secret = server.post({"type": "notification", "data": {"level": "info", "title": "secret-1234"}}).json()
    results = attack(chromium, server)
    assert "exception" not in results, results
    assert results["read"] == 421 and "secret-1234" not in results["readBody"], results
    assert results["post"] == 421
    assert results["ws"] == "refused" and "wsMessage" not in results
    assert results["direct"] == "refused" and "directMessage" not in results  # foreign Origin at the real address
    assert server.get("/api/status").json()["last_seq"] == secret["last_seq"]  # neither post was stored


def test_rebind002_control_the_same_page_reads_when_the_name_is_allowed(
    chromium: Any, server_factory: Any, tmp_path: Any
) -> None:
    server = server_factory("--no-collector", "--allowed-host", "evil.test", data_dir=tmp_path / "allowed")
    server.post({"type": "notification", "data": {"level": "info", "title": "secret-1234"}})
    results = attack(chromium, server)
    # a name on the list is this server's own: the relay's page then reads, posts and opens /ws
    assert results["read"] == 200 and "secret-1234" in results["readBody"], results
    assert results["post"] == 202 and results["ws"] == "open" and '"hello"' in results["wsMessage"]
    assert results["direct"] == "refused"  # its origin is still not the one of 127.0.0.1:<port>
