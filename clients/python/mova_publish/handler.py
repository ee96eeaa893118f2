"""``PublishHandler``: a logging handler that turns WARNING-and-above records into ``notification`` events."""

from __future__ import annotations

import logging
import threading

from mova_publish.publisher import Publisher

MAX_TITLE_CHARS = 120
MAX_MESSAGE_CHARS = 16_000  # well under the hub's 64 KiB data limit, even for long tracebacks


class PublishHandler(logging.Handler):
    """A logging handler that publishes WARNING and above as ``notification`` events.

    It never raises from ``emit`` and never recurses: records from this package's
    loggers, from urllib3 and from the publisher's own thread are ignored, so a
    failing hub cannot feed its own error reports back into the queue.
    """

    IGNORED_LOGGERS = ("mova_publish", "urllib3", "requests")

    def __init__(self, publisher: Publisher, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.publisher = publisher
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def _ignored(self, record: logging.LogRecord) -> bool:
        if threading.current_thread() is self.publisher.thread:
            return True
        return any(record.name == n or record.name.startswith(n + ".") for n in self.IGNORED_LOGGERS)

    def emit(self, record: logging.LogRecord) -> None:
        if self._ignored(record):
            return
        try:
            first_line = record.getMessage().strip().splitlines()[0] if record.getMessage().strip() else ""
            title = first_line or record.levelname
            if len(title) > MAX_TITLE_CHARS:
                title = title[: MAX_TITLE_CHARS - 1] + "…"
            message = self.format(record)
            if len(message) > MAX_MESSAGE_CHARS:
                message = message[: MAX_MESSAGE_CHARS - 1] + "…"
            level = "warning" if record.levelno < logging.ERROR else "error"
            self.publisher.publish(
                "notification",
                {"level": level, "title": title, "message": message},
                source=record.name[:256] or "root",
            )
        except Exception:
            self.handleError(record)  # prints to stderr (when logging.raiseExceptions), never raises
