"""Who is asking (``Principal``), and the names and roles accounts may have.

hub/access/web.py finds the principal of every request (an API token, a session,
or anonymous) and routes read it from ``g``; sockets keep it while they are open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.access.rules import ROLES
from hub.errors import InvalidInput

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user, an API token, or nobody (``anonymous``)."""

    kind: str  # "user", "token" or "anonymous"
    name: str
    permissions: frozenset[str]
    role: str | None = None
    scopes: tuple[str, ...] = ()
    session: str | None = None  # the session's digest (its key in the store): sockets are checked by it
    token_id: str | None = None
    csrf: str | None = None

    def may(self, permission: str) -> bool:
        return permission in self.permissions


def check_name(name: str, what: str = "user name") -> str:
    clean = name.strip().lower()
    if not NAME_PATTERN.match(clean):
        raise InvalidInput(f"a {what} is 1-64 of a-z 0-9 . _ @ - and starts with a letter or digit, got {name[:70]!r}")
    return clean


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {role[:40]!r}")
    return role
