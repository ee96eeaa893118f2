"""The OpenAPI 3.1 description of the HTTP API (DESIGN.md §3), served at GET /api/openapi.json.

Written by hand as plain data, next to the routes it describes (schemas.py, paths.py, and
each area's own: hub/access/openapi.py, hub/alerts/openapi.py, hub/integrations/openapi.py),
because the
contract is DESIGN.md rather than whatever the code happens to do: a test
checks that every /api/ route of the real app appears here, and schemathesis
checks every response of the real server against it. The WebSocket at /ws has
no OpenAPI form, so its protocol is described in ``info.description`` and in
the ``x-websocket`` extension.
"""

from __future__ import annotations

import copy
from typing import Any

from hub.access.openapi import access_paths
from hub.alerts.openapi import ALERT_SCHEMAS, alert_paths
from hub.api.limits import (
    MAX_LIMIT,
    MAX_POINTS,
    MAX_SERIES,
    MAX_STEP_S,
    MAX_WIDE_ROWS,
    MIN_STEP_S,
)
from hub.api.paths import api_paths
from hub.api.schemas import SCHEMAS, error
from hub.events.filter import MAX_TYPE_CHARS, MAX_TYPE_PREFIXES
from hub.events.model import MAX_SERIES_NAME_CHARS
from hub.integrations.openapi import integration_paths
from hub.storage.search import MAX_QUERY_CHARS

API_VERSION = "1.0.0"

DESCRIPTION = """\
MOVA Live: services publish events over HTTP; the hub stores them and pushes
them to every open dashboard over a WebSocket.

Events are CloudEvents 1.0 in structured JSON. On ingest only `type` and `data`
are required; the hub fills `specversion`, `id`, `source` and `time` and adds
`seq`, a strictly increasing position in the stream. Known types (system.*,
ml.*, file.*, user.*, notification, alert, plugin.*, metrics.update,
analytics.update) have their `data` validated strictly; other types matching
the pattern take any JSON object. (`source`, `id`) is an idempotency key.

POST /api/events also takes one event in CloudEvents binary mode: `ce-type`,
`ce-source`, `ce-id`, `ce-time` (and other `ce-*`) headers with `data` as the
JSON body.

Every error is `{"error": "what went wrong and how to fix it", ...details}`.

## WebSocket: GET /ws?after=<seq>&type=<prefix>&epoch=<epoch>&frame_ms=<ms>

Server to client, JSON text frames:
- `{"kind": "hello", "last_seq": n, "first_seq": m, "epoch": "...", "server_time": "...", "heartbeat_s": 30,
  "health": {...}}` first (health as in GET /api/status);
- `{"kind": "reset", "n": 1, "reason": "...", "last_seq", "first_seq", "epoch"}` right after hello when the
  client's position no longer exists (store recreated: `epoch` differs; `after` beyond last_seq;
  events after it removed by retention): reload state from REST, then carry on live;
- `{"kind": "events", "n": k, "events": [...]}`: a batch in `seq` order; `n`
  numbers this connection's frames after hello 1, 2, 3..., whatever their kind. With `after`, stored events after
  that `seq` are replayed first, then live events follow with no gap and no
  duplicate. A jump in `n` means a lost frame: backfill from GET /api/events
  (and re-read GET /api/status, in case the lost frame was a health frame);
- `{"kind": "pong", "n": k}` answering a ping;
- `{"kind": "gap", "n": k, "after": seq}` when the client fell too far behind: fetch the
  rest from GET /api/events and carry on;
- `{"kind": "health", "n": k, "state": ..., "message": ...}` when the store starts or stops failing to write.

Each client gets at most one events frame per 50 ms by default (what the browser's
WebSocket component keeps up with); `frame_ms=0` asks for batches as they come.
The server pings every heartbeat and drops a socket that did not answer by the next.
A client may send 100 frames a minute; beyond that they are ignored with one error frame.

Client to server: `{"kind": "ping"}`, `{"kind": "subscribe", "type": [...]}`;
anything else gets `{"kind": "error", ...}` and the connection stays up.
A foreign `Origin` is refused with 403; a bad `after`, `type` or `frame_ms` with 400; beyond
the connection cap, 503. A request that is not a WebSocket handshake gets 426 (with `Upgrade:
websocket`), a version other than 13 gets 426 (with `Sec-WebSocket-Version: 13`), a malformed
handshake (not a GET, no `Connection: Upgrade`, a bad `Sec-WebSocket-Key`) 400, all in the error
shape. Closing follows RFC 6455 both ways: a client's Close is answered before TCP ends, and a
closing server waits a second for the client's Close.
"""

LIMITS = f"""
## Limits and guards

Every parameter that sizes work is bounded, and a request beyond a bound is
a 400 naming the `parameter` before any work starts: `limit` <= {MAX_LIMIT},
`max_points` <= {MAX_POINTS}, at most {MAX_SERIES} `series` (one named twice counts
once; names <= {MAX_SERIES_NAME_CHARS} characters), at most {MAX_TYPE_PREFIXES} `type` prefixes
(<= {MAX_TYPE_CHARS} characters each), `q` <= {MAX_QUERY_CHARS} characters, times within about
31 years of now, the wide export's `step` from {MIN_STEP_S:g} to {MAX_STEP_S:g} seconds and at
most {MAX_WIDE_ROWS:,} rows over the span its series have samples in. A streamed
export stops when its client leaves.

Every response carries a Content-Security-Policy, `X-Content-Type-Options:
nosniff`, `X-Frame-Options: DENY` and a Referrer-Policy. A Host header this
server does not answer for (not localhost, the bound address, `--public-url`
or an `--allowed-host`) gets 421; a write from a browser page of a foreign
Origin gets 403. CSV cells that a spreadsheet would run as a formula (starting
with = + - @, tab or CR) are written with a leading single quote.
"""

WEBSOCKET = {
    "path": "/ws",
    "query": {
        "after": "resume after this seq: replay what was stored after it, then go live",
        "type": "type prefix to follow (repeatable or comma-separated); none means all",
        "epoch": "the store epoch the client's seq belongs to; a different one gets a reset frame",
        "frame_ms": "this client's minimum milliseconds between events frames (default 50; 0 = at once)",
    },
    "server_frames": ["hello", "reset", "events", "pong", "gap", "health", "error"],
    "client_frames": ["ping", "subscribe"],
}


def guarded(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation can meet the request guards (hub/server/guard.py: a foreign Host, a foreign Origin's write)
    and the HTTP server's bound on the request line."""
    for operations in paths.values():
        for method, operation in operations.items():
            operation["responses"]["421"] = error("the Host header names a server this is not (DNS rebinding)")
            operation["responses"]["414"] = error("the request line is over 4094 bytes (the HTTP server's own bound)")
            if method != "get":
                operation["responses"]["403"] = error("a browser page of a foreign Origin may not write")
    return paths


def openapi_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document; a new dict each call, so callers may change theirs."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "MOVA Live", "version": API_VERSION, "description": DESCRIPTION + LIMITS},
        "servers": [{"url": "/"}],
        "paths": guarded({**api_paths(), **integration_paths(), **access_paths(), **alert_paths()}),
        "components": {
            "schemas": SCHEMAS | ALERT_SCHEMAS,
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "POST /api/events: the server's --token/--producer token (when one is set) or an "
                    "API token of scope ingest; reads and /ws: an API token of scope read (or admin) when sign-in "
                    "is required",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "mova_session",
                    "description": "set by POST /login; unsafe methods also need the X-CSRF-Token of GET /api/session",
                },
            },
        },
        "x-websocket": WEBSOCKET,
    }
    return copy.deepcopy(spec)
