"""Who may publish, and how fast: ingest tokens and a per-token rate limit.

With no --token/--producer configured, ingest is open (the default bind is
loopback) and events get source "api" (or the name of an API token, if one is
sent). Otherwise every configured token is compared in constant time (all of
them, so the time does not tell which one nearly matched) and the matching
producer's name becomes the events' default source; failing that, an API token
of scope ingest (hub/access, looked up through ``api_tokens``, cached) is
accepted under its own name. A token bucket per producer answers 429 with
Retry-After past its rate. Tokens are never logged.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Callable

from hub.errors import RateLimited, Unauthorized

OPEN_SOURCE = "api"


class TokenBucket:
    """``rate`` tokens a second, holding at most ``capacity``."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.level = capacity
        self.stamp = time.monotonic()

    def take(self, amount: float) -> float:
        """Take ``amount`` and return 0, or take nothing and return the seconds to wait."""
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        if amount <= self.level:
            self.level -= amount
            return 0.0
        return (amount - self.level) / self.rate


class Gate:
    def __init__(
        self, tokens: dict[str, str], rate: float, api_tokens: Callable[[str], str | None] | None = None
    ) -> None:
        self._tokens = [(name, token.encode()) for name, token in tokens.items()]
        self._api_tokens = api_tokens  # an API token -> its name if it may ingest
        self._rate = rate
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return not self._tokens

    def identify(self, authorization: str | None) -> str:
        """The producer's name for an Authorization header; raises Unauthorized."""
        scheme, _, value = (authorization or "").partition(" ")
        bearer = scheme.lower() == "bearer"
        if self.open:
            named = self._api_tokens(value.strip()) if bearer and self._api_tokens else None
            return named or OPEN_SOURCE
        found = self.producer_of(value.strip()) if bearer else None
        if found is None and bearer and self._api_tokens is not None:
            found = self._api_tokens(value.strip())
        if found is None:
            raise Unauthorized(
                "missing or wrong token: send 'Authorization: Bearer <token>' with a token the server was started with or an API token of scope ingest"
            )
        return found

    def producer_of(self, token: str) -> str | None:
        """The producer of a --token/--producer token, compared with every one in constant time."""
        given = token.encode()
        found = None
        for name, known in self._tokens:
            if hmac.compare_digest(given, known):
                found = name
        return found

    def admit(self, producer: str, events: int) -> None:
        """Charge ``events`` to a producer's rate; raises RateLimited with the wait in seconds."""
        if self.open:
            return
        with self._lock:
            bucket = self._buckets.setdefault(producer, TokenBucket(self._rate, 2 * self._rate))
            wait = bucket.take(events)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"producer {producer!r} is over its rate of {self._rate:g} events/s: retry in {seconds} s",
                retry_after=seconds,
            )
