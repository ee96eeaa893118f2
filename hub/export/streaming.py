"""Streamed downloads that end with their client: the exports' wrapper between the generator and the socket.

An export is a generator that gunicorn writes to the socket chunk by chunk.
Three things keep one from costing more than its client wants:

- the first chunk is made before the response starts, so a failure while
  setting up (a bad parameter found late, a bug) is answered as an error with
  its status, in JSON, instead of a stream cut after a 200;
- before each further chunk is made, the socket is checked for the client's
  end (its FIN): a client that left stops the work at the next chunk, even
  when the kernel would still have taken a chunk or two into its buffers;
- a send that makes no progress for ``SEND_TIMEOUT_S`` (a client that stopped
  reading, or vanished without a FIN) raises in the server's write, which
  closes the generator and frees the thread.
"""

from __future__ import annotations

import itertools
import select
import socket
from collections.abc import Iterator, Mapping
from typing import Any

SEND_TIMEOUT_S = 30.0


def client_left(sock: socket.socket) -> bool:
    """Whether the peer has closed its end (without waiting; a pipelined request is not an end)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def while_client_stays(chunks: Iterator[bytes], environ: Mapping[str, Any]) -> Iterator[bytes]:
    """``chunks`` with the first made now and the rest only while the client is still there."""
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        sock.settimeout(SEND_TIMEOUT_S)  # gunicorn makes the socket blocking again for the next request
    first = next(chunks, None)
    if first is None:
        return iter(())
    return _follow(first, chunks, sock if isinstance(sock, socket.socket) else None)


def _follow(first: bytes, chunks: Iterator[bytes], sock: socket.socket | None) -> Iterator[bytes]:
    try:
        for chunk in itertools.chain([first], chunks):
            yield chunk
            if sock is not None and client_left(sock):
                return
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:  # the export's generator: its finally blocks (database cursors) run now
            close()
