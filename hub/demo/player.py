"""``Demo``: a Simulator played against a hub over HTTP, on a thread, exactly as a real service would.

Its events go through a ``Publisher`` (the publishing client). ``time_scale`` speeds
the simulated world up (tests use it to see every category within a second or two).
"""

from __future__ import annotations

import random
import threading
import time

from hub.demo.simulator import Simulator
from hub.publish import Publisher

SOURCES = {  # category -> source, so the feed reads like several services
    "ml": "demo/trainer",
    "file": "demo/storage",
    "user": "demo/portal",
    "plugin": "demo/plugins",
    "metrics": "demo/gateway",
    "notification": "demo/ops",
    "alert": "demo/monitor",
}


class Demo:
    """Play a Simulator against a hub over HTTP with a Publisher, on a thread."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        seed: int | None = None,
        time_scale: float = 1.0,
        tick_s: float = 0.2,
    ) -> None:
        if time_scale <= 0 or tick_s <= 0:
            raise ValueError("time_scale and tick_s must be > 0")
        self.url = url
        self.token = token
        self.seed = seed
        self.time_scale = time_scale
        self.tick_s = tick_s
        self.publisher: Publisher | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Demo:
        if self._thread is not None:
            return self
        self.publisher = Publisher(self.url, self.token, source="demo", flush_interval=0.1)
        self._thread = threading.Thread(target=self._run, name="demo", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self.publisher is not None
        sim = Simulator(random.Random(self.seed))
        began = time.monotonic()
        while not self._stop.is_set():
            events = sim.next_events((time.monotonic() - began) * self.time_scale)
            for type_, data in events:
                self.publisher.publish(type_, data, source=SOURCES.get(type_.split(".", 1)[0], "demo"))
            self._stop.wait(self.tick_s)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop at once; give queued events up to ``timeout`` seconds to reach the hub. Idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        if self.publisher is not None:
            self.publisher.close(timeout=timeout)
