"""Errors the hub reports to clients, each carrying its HTTP status.

    HubError (500)
     ├── InvalidInput (400)      bad JSON, a field of the wrong type, a bad query parameter
     ├── Unauthorized (401)      missing or wrong ingest token
     ├── Forbidden (403)         foreign Origin on /ws
     ├── NotFound (404)          unknown path under /api/
     ├── MisdirectedRequest (421) a Host header this server does not answer for (DNS rebinding)
     ├── TooLarge (413)          body, batch or event data over the limits
     ├── UnsupportedMedia (415)  a content type ingest does not read
     ├── RateLimited (429)       a producer over its rate (carries retry_after)
     └── Unavailable (503)       the store cannot take writes (disk full, read-only)

REST and the socket share one error shape: ``{"error": "what went wrong and how
to fix it", ...details}``.
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    status = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.message, **self.details}


class InvalidInput(HubError):
    status = 400


class Unauthorized(HubError):
    status = 401


class Forbidden(HubError):
    status = 403


class NotFound(HubError):
    status = 404


class MisdirectedRequest(HubError):
    status = 421


class TooLarge(HubError):
    status = 413


class UnsupportedMedia(HubError):
    status = 415


class RateLimited(HubError):
    status = 429


class Unavailable(HubError):
    status = 503
