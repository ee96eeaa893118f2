"""Throttling of failed sign-ins and token attempts, per address and per account.

Each key ("addr:1.2.3.4", "user:ana", "token:1a2b3c4d") keeps the times of its
recent failures. Past ``allowed`` failures within ``window_s`` the key is
blocked, and the wait doubles with every further failure (capped at
``max_wait_s``), as Grafana and most identity providers do; a success clears an
account's record (not an address's: one good password must not reset a spray
from the same address). Callers answer 429 with Retry-After.

The counts live in each process's memory, bounded to ``max_keys`` (the oldest
keys go first): with several processes behind one address an attacker gets at
most N times the attempts, still a handful a minute.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    allowed: int
    window_s: float
    base_wait_s: float = 30.0
    max_wait_s: float = 900.0


class Throttle:
    def __init__(self, max_keys: int = 50_000) -> None:
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def wait(self, key: str, policy: Policy) -> int:
        """Seconds ``key`` must wait before its next attempt (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            times = self._failures.get(key)
            if not times:
                return 0
            while times and times[0] < now - max(policy.window_s, policy.max_wait_s):
                times.popleft()
            recent = sum(1 for t in times if t >= now - policy.window_s)
            over = recent - policy.allowed
            if over < 0:
                return 0
            wait = min(policy.max_wait_s, policy.base_wait_s * 2**over)
            left = times[-1] + wait - now
        return max(0, int(math.ceil(left)))

    def fail(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            times = self._failures.pop(key, None) or deque(maxlen=64)
            times.append(now)
            self._failures[key] = times  # most recent last: the oldest keys are dropped first
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


# five wrong passwords for one account in 5 minutes, then 30 s, 60 s, 120 s ... (Grafana: 5 in 5 minutes)
ACCOUNT_POLICY = Policy(allowed=5, window_s=300)
# an address trying many accounts (password spraying) or many tokens
ADDRESS_POLICY = Policy(allowed=20, window_s=300)
