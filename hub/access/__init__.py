"""Users, sessions, API tokens and roles: who may read, acknowledge, administer and publish.

rules.py        roles, token scopes, permissions and the one rule per route
credentials.py  argon2id passwords; HMAC-SHA256 digests of tokens and session ids
repo.py         the tables (SQLite file in the data dir, or the PostgreSQL store) and the audit outbox
throttle.py     failed sign-ins and token attempts, per address and per account
principal.py    Principal (who is asking); the names and roles accounts may have
gate.py         the ingest gate: producers' tokens and rate, for POST /api/events and OTLP
service.py      Access: the operations, cached answers for the live path, audit events
sockets.py      open sockets closed with 4401 when their session or token ends
web.py          the check before every request, CSRF, the session cookie
routes.py       /login, /logout, /setup, /account, /admin, /api/users, /api/tokens, notification marks
pages.py        the server-rendered pages
cli.py          `python app.py users ...` and `python app.py tokens ...`
"""

from __future__ import annotations

from hub.access.principal import Principal
from hub.access.service import Access
from hub.access.sockets import CLOSE_SESSION_ENDED, SocketWatch

__all__ = ["CLOSE_SESSION_ENDED", "Access", "Principal", "SocketWatch"]
