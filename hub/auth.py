"""Who may publish, and how fast: ingest tokens and a per-token rate limit.

With no token configured, ingest is open (the default bind is loopback) and
events get source "api". Otherwise every token is compared in constant time
(all of them, so the time does not tell which one nearly matched), the
matching producer's name becomes the events' default source, and a token
bucket per producer answers 429 with Retry-After past its rate. Tokens are
never logged.
"""

from __future__ import annotations

import hmac
import math
import threading
import time

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
    def __init__(self, tokens: dict[str, str], rate: float) -> None:
        self._tokens = [(name, token.encode()) for name, token in tokens.items()]
        self._rate = rate
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return not self._tokens

    def identify(self, authorization: str | None) -> str:
        """The producer's name for an Authorization header; raises Unauthorized."""
        if self.open:
            return OPEN_SOURCE
        scheme, _, value = (authorization or "").partition(" ")
        given = value.strip().encode()
        found = None
        for name, token in self._tokens:
            if hmac.compare_digest(given, token) and scheme.lower() == "bearer":
                found = name
        if found is None:
            raise Unauthorized(
                "missing or wrong token: send 'Authorization: Bearer <token>' with a token the server was started with"
            )
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
