"""Which server should `python app.py` use? gunicorn gthread against Werkzeug threaded.

For each server: delivery latency at (100/s, 10 clients) and (1000/s, 100 clients),
and how clients see the server stop (close code on SIGTERM: 1001 is clean;
1006 means the socket was cut and frames may be lost).
"""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path

import websocket

from bench.latency import measure
from tests.server import ServerProcess

CASES = [(100, 10), (1000, 100)]


def close_code_on_sigterm(server: ServerProcess) -> str:
    ws = websocket.create_connection(server.ws_url, timeout=10)
    ws.recv()
    server.proc.send_signal(signal.SIGTERM)
    try:
        while True:
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return str(int.from_bytes(data[:2], "big"))
    except (websocket.WebSocketException, OSError) as exc:
        return f"1006 ({type(exc).__name__})"


def main() -> None:
    print(
        f"{'server':<10} {'rate/s':>7} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>6}"
    )
    closes = {}
    for name in ("gunicorn", "werkzeug"):
        with tempfile.TemporaryDirectory() as tmp:
            server = ServerProcess(Path(tmp), "--no-collector", "--server", name).start()
            try:
                for rate, clients in CASES:
                    r = measure(server.url, rate, clients, seconds=5, pid=server.proc.pid)
                    print(
                        f"{name:<10} {rate:>7} {clients:>7} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.p99_ms:>8.1f} {r.max_ms:>8.1f} {r.lost:>6}"
                    )
                closes[name] = close_code_on_sigterm(server)
            finally:
                server.stop()
    for name, code in closes.items():
        print(f"{name}: close code seen by a client on SIGTERM: {code}")


if __name__ == "__main__":
    main()
