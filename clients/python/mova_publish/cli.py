"""``mova-publish TYPE JSON``: post one event synchronously, for shell scripts.

Exit 0 on 202, 1 when the hub refuses the event, 3 when it cannot be reached.
Also run as ``python -m mova_publish``, ``python -m hub.publish`` and
``mova-live publish``.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Sequence

import orjson
import requests

from mova_publish.publisher import DEFAULT_URL, error_of


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Post one event to a MOVA Live hub and print its answer. "
        "Exit 0 when stored (202), 1 when the hub refuses it, 3 when it cannot be reached.",
    )
    parser.add_argument("type", help="event type, e.g. notification or ml.training.progress")
    parser.add_argument(
        "data", help='event data as a JSON object, e.g. \'{"level": "info", "title": "hi"}\'; - reads stdin'
    )
    parser.add_argument("--url", default=DEFAULT_URL, help=f"hub base URL (default {DEFAULT_URL})")
    parser.add_argument("--token", default=None, help="ingest token (default: the MOVA_TOKEN environment variable)")
    parser.add_argument("--source", default="cli", help="event source (default cli)")
    parser.add_argument("--id", default=None, help="event id; give one to make re-running the command safe")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the hub (default 10)")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "mova-publish") -> int:
    parser = _parser(prog)
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.data == "-" else args.data
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        parser.error(f"DATA is not valid JSON: {exc}")
    event = {"type": args.type, "data": data, "source": args.source, "id": args.id or uuid.uuid4().hex}
    token = args.token if args.token is not None else os.environ.get("MOVA_TOKEN", "")
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = args.url.rstrip("/") + "/api/events"
    try:
        response = requests.post(url, data=orjson.dumps(event), headers=headers, timeout=args.timeout)
    except requests.RequestException as exc:
        print(f"error: cannot reach {url}: {exc}", file=sys.stderr)
        return 3
    if response.status_code == 202:
        print(response.text)
        return 0
    error = error_of(response)
    print(f"error: HTTP {response.status_code}: {orjson.dumps(error).decode()}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
