"""The names this server answers for, and the origins that may talk to it: one rule for Host and Origin.

DNS rebinding: a page on a foreign name (``evil.test``) whose DNS answer turns
into 127.0.0.1 is, to the browser, same-origin with itself while it talks to
this server, so it could read the API and open /ws. It cannot choose the Host
header, though: the browser sends the foreign name. So a request is served
only when its Host names this server:

- the localhost names (``localhost``, ``*.localhost``, 127.0.0.1, ::1);
- the bound address; when bound to every address (0.0.0.0, ::), any IP
  literal (a rebinding page always has a name, and an address the request
  reached names this machine);
- the host of ``--public-url`` (the address users type, e.g. behind a proxy);
- each ``--allowed-host`` (``*.example.com`` matches its subdomains).

The port is not compared for Host (a proxy may forward from another port).
For a browser's ``Origin`` (on /ws and on writes) the port is compared as
well, so another local web app on another port is foreign: an origin is
allowed when it is ``--public-url``'s origin, one of ``--allowed-origin``, or
an allowed host with this server's port or exactly the request's own (allowed)
Host, as a proxy in front shows it. A request without Origin
is not from a browser page and passes (tokens and sign-in guard those).

``HostPolicy.from_settings(settings)`` builds it; ``allows_host`` and
``allows_origin`` are what the request guards (hub/server/guard.py), the socket and
sign-in call.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub.settings import Settings

LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _hostname(host: str) -> str | None:
    """The name of a Host header value (no port, no brackets, lower case, no trailing dot); None if malformed."""
    host = host.strip().lower()
    if not host or any(c in host for c in "/@?#\\ \t"):
        return None
    try:
        name = urlsplit("//" + host).hostname
    except ValueError:
        return None
    return name.rstrip(".") if name else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HostPolicy:
    names: frozenset[str]
    suffixes: tuple[str, ...]  # ".example.com" for an allowed "*.example.com"
    any_ip: bool
    port: int
    origins: frozenset[str]  # exact origins: --public-url's and each --allowed-origin

    @classmethod
    def from_settings(cls, settings: Settings) -> HostPolicy:
        names = set(LOCAL_NAMES)
        suffixes = [".localhost"]
        bind = settings.host.strip("[]").lower()
        if bind not in WILDCARD_BINDS:
            names.add(bind)
        origins = {o.rstrip("/").lower() for o in settings.allowed_origin}
        if settings.public_url:
            public = urlsplit(settings.public_url)
            if public.hostname:
                names.add(public.hostname.rstrip("."))
            origins.add(f"{public.scheme}://{public.netloc}".lower())
        for entry in settings.allowed_host:
            entry = entry.strip().lower().rstrip(".")
            if entry.startswith("*."):
                suffixes.append(entry[1:])
            elif entry:
                names.add(_hostname(entry) or entry)
        return cls(frozenset(names), tuple(suffixes), bind in WILDCARD_BINDS, settings.port, frozenset(origins))

    def allows_name(self, name: str) -> bool:
        if name in self.names or name.endswith(self.suffixes):
            return True
        return self.any_ip and _is_ip(name)

    def allows_host(self, host: str | None) -> bool:
        """Whether a request's Host header names this server."""
        name = _hostname(host or "")
        return name is not None and self.allows_name(name)

    def allows_origin(self, origin: str | None, host: str | None = None) -> bool:
        """Whether a browser page of this Origin may use the server; no Origin (not a browser page) passes.

        ``host`` is the request's Host header (already checked by ``allows_host``): a page of the
        very origin the request was sent to is the server's own page, whatever port a proxy shows.
        """
        if not origin:
            return True
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        try:
            parts = urlsplit(origin)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            return False
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path:
            return False  # "null" (sandboxed frames, file://) and anything that is not an http(s) origin
        if not self.allows_name(parts.hostname.rstrip(".")):
            return False
        return port == self.port or (host is not None and parts.netloc == host.strip().lower())
