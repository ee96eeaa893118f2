"""Accounts, sessions, API tokens and their audit trail: the rules of hub/access in one object.

``Access`` is what the web routes, the socket watcher and the CLI call. Every
change (a user added, a role changed, a token revoked, a sign-in) is written
with its ``auth.*`` audit event in one transaction (hub/access/repo.py's
outbox); a server publishes the outbox into the event stream. Answers to the
per-request questions (is this session good, whose token is this) are cached
for ``CACHE_S`` so that the live path pays a dict lookup, not a query; a
revocation therefore reaches every process within ``CACHE_S`` plus the socket
watcher's period (hub/access/sockets.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from hub.access import credentials as cred
from hub.access.principal import NAME_PATTERN, Principal, check_name, check_role
from hub.access.repo import AccessRepo, Taken, TokenRow, open_repo
from hub.access.rules import INGEST, OPEN_PERMISSIONS, SCOPES, permissions_of, permissions_of_scopes
from hub.access.throttle import ACCOUNT_POLICY, ADDRESS_POLICY, Policy, Throttle
from hub.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthorized
from hub.settings import Settings

logger = logging.getLogger(__name__)

CACHE_S = 2.0
AUDIT_KEEP_S = 86_400.0  # published outbox rows are kept a day (they are in the event store)
SETUP_TTL_S = 86_400.0
_ONCE = Policy(allowed=0, window_s=60, base_wait_s=60, max_wait_s=60)  # marks a throttled spell, audited once


@dataclass
class _Cached:
    principal: Principal | None
    until: float
    extra: dict[str, Any] = field(default_factory=dict)


class Access:
    def __init__(
        self, settings: Settings, repo: AccessRepo | None = None, publish: Callable[[list[Any]], Any] | None = None
    ) -> None:
        self.settings = settings
        self.repo = repo or open_repo(settings.data_path, settings.store_url)
        self.key = bytes.fromhex(self.repo.meta("hmac_key") or "")
        self.publish = publish  # hands audit events to the event store; None in the CLI (a server publishes)
        self.idle_s = settings.session_idle_minutes * 60
        self.max_s = settings.session_max_hours * 3600
        self.throttle = Throttle()
        self._sessions: dict[str, _Cached] = {}
        self._tokens: dict[str, _Cached] = {}
        self._has_users: tuple[bool, float] = (False, 0.0)
        self._audit_lock = threading.Lock()

    # -- the mode ----------------------------------------------------------

    def has_users(self) -> bool:
        known, until = self._has_users
        if time.monotonic() < until:
            return known
        known = self.repo.count_users() > 0
        self._has_users = (known, time.monotonic() + CACHE_S)
        return known

    def required(self) -> bool:
        """Whether reading needs a sign-in or a token (DESIGN.md §6)."""
        if self.settings.auth != "auto":
            return self.settings.auth == "required"
        return not self.settings.is_loopback or self.has_users()

    def anonymous(self) -> Principal:
        return Principal("anonymous", "anonymous", frozenset() if self.required() else OPEN_PERMISSIONS)

    # -- users ---------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, by: str) -> None:
        name, role = check_name(name), check_role(role)
        hashed = self._hash(password)
        try:
            with self.repo.tx() as tx:
                self.repo.add_user(tx, name, role, hashed, time.time())
                self._audit(tx, "auth.user_added", user=name, role=role, by=by)
        except Taken:
            raise Conflict(f"a user named {name!r} exists already: change it instead") from None
        self._changed()

    def change_user(
        self,
        name: str,
        by: str,
        role: str | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> None:
        """Change a role, disable or enable, or set a password; the last enabled admin cannot be lost."""
        user = self._user(name)
        changes: dict[str, Any] = {}
        hashed = self._hash(password) if password is not None else None
        with self.repo.tx() as tx:
            if role is not None and check_role(role) != user.role:
                changes["role"] = role
                self._audit(tx, "auth.role_changed", user=user.name, role=role, previous=user.role, by=by)
            if disabled is not None and disabled != user.disabled:
                changes["disabled"] = int(disabled)
                self._audit(tx, "auth.user_disabled" if disabled else "auth.user_enabled", user=user.name, by=by)
            if hashed is not None:
                changes["password"] = hashed
                self._audit(tx, "auth.password_reset", user=user.name, by=by)
            if not changes:
                return
            self.repo.update_user(tx, user.name, **changes)
            if user.role == "admin" and not user.disabled and self.repo.count_admins(tx) == 0:
                raise Conflict(f"{user.name!r} is the last admin: make another admin first")
            if "disabled" in changes or "password" in changes or "role" in changes:
                # a lowered role or a new password takes effect everywhere at once: sign the user out
                self.repo.end_user_sessions(tx, user.id)
        self._changed()

    def users(self) -> list[dict[str, Any]]:
        """Every user, never the password hash."""
        shown = ("name", "role", "disabled", "created", "last_login")
        return [{k: getattr(u, k) for k in shown} for u in self.repo.users()]

    def _user(self, name: str) -> Any:
        user = self.repo.user(name.strip().lower())
        if user is None:
            raise NotFound(f"no user named {name[:70]!r}: see `python app.py users list`")
        return user

    def _hash(self, password: str) -> str:
        try:
            return cred.hash_password(password)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="password") from None

    # -- sign-in and sessions ------------------------------------------------

    def login(self, name: str, password: str, address: str) -> tuple[str, Principal]:
        """A new session id (the cookie) for a good name and password; 401 or 429 otherwise."""
        clean = name.strip().lower()[:64]
        self._check_throttle(f"addr:{address}", f"user:{clean}", address=address, user=clean)
        user = self.repo.user(clean) if NAME_PATTERN.match(clean) else None
        good = cred.verify_password(user.password if user else None, password)
        if not good or user is None or user.disabled:
            self.throttle.fail(f"addr:{address}")
            if user is not None:
                self.throttle.fail(f"user:{clean}")
            # the typed name is kept only when it is an account: people type passwords into the name box
            reason = "disabled" if good and user is not None else "wrong name or password"
            with self.repo.tx() as tx:
                self._audit(tx, "auth.login_failed", user=user.name if user else None, address=address, reason=reason)
            self._changed()
            raise Unauthorized("wrong name or password, or the account is disabled")
        self.throttle.clear(f"user:{clean}")
        sid, now = cred.new_session_id(), time.time()
        with self.repo.tx() as tx:
            self.repo.add_session(tx, cred.digest(self.key, sid), user.id, now, now + self.max_s, address)
            self.repo.update_user(tx, user.name, last_login=now)
            if cred.needs_rehash(user.password):  # argon2's parameters were raised since this hash was made
                self.repo.update_user(tx, user.name, password=self._hash(password))
            self._audit(tx, "auth.login", user=user.name, role=user.role, address=address)
        self._changed()
        principal = self.session_principal(sid)
        assert principal is not None
        return sid, principal

    def session_principal(self, sid: str) -> Principal | None:
        """The user of a session cookie, if the session is good (cached for CACHE_S)."""
        key = cred.digest(self.key, sid)
        now_m = time.monotonic()
        cached = self._sessions.get(key)
        if cached is not None and now_m < cached.until:
            return cached.principal
        row = self.repo.session(key)
        now = time.time()
        principal = None
        if row is not None and row.expires > now and row.last_seen > now - self.idle_s and not row.user.disabled:
            u = row.user
            csrf = cred.digest(self.key, "csrf:" + sid)
            principal = Principal("user", u.name, permissions_of(u.role), role=u.role, session=key, csrf=csrf)
            if now - row.last_seen > min(60.0, self.idle_s / 4):
                self.repo.touch_sessions([key], now)
        if len(self._sessions) > 10_000:
            self._sessions.clear()
        self._sessions[key] = _Cached(principal, now_m + CACHE_S)
        return principal

    def logout(self, principal: Principal, everywhere: bool, address: str) -> None:
        if principal.kind != "user" or principal.session is None:
            return
        user = self.repo.user(principal.name) if everywhere else None
        with self.repo.tx() as tx:
            if user is not None:
                self.repo.end_user_sessions(tx, user.id)
            else:
                self.repo.end_session(tx, principal.session)
            kind = "auth.logout_all" if everywhere else "auth.logout"
            self._audit(tx, kind, user=principal.name, address=address)
        self._changed()

    def live_sessions(self, keys: list[str]) -> set[str]:
        return self.repo.live_sessions(keys, time.time(), self.idle_s)

    # -- API tokens ----------------------------------------------------------

    def create_token(self, name: str, scopes: list[str], by: str) -> str:
        """A new token, returned once; only its digest is kept."""
        name = check_name(name, "token name")
        wanted = tuple(sorted({s.strip() for s in scopes if s.strip()}))
        if not wanted or any(s not in SCOPES for s in wanted):
            raise InvalidInput(f"scopes must be one or more of {', '.join(SCOPES)}, got {list(scopes)[:5]}")
        token_id, secret, whole = cred.new_token()
        row = TokenRow(token_id, name, wanted, cred.digest(self.key, secret), time.time(), by, None, None)
        try:
            with self.repo.tx() as tx:
                self.repo.add_token(tx, row)
                self._audit(tx, "auth.token_created", token=name, scopes=list(wanted), by=by)
        except Taken:
            raise Conflict(f"a token named {name!r} exists already: revoke it first or pick another name") from None
        self._changed()
        return whole

    def revoke_token(self, name_or_id: str, by: str) -> None:
        with self.repo.tx() as tx:
            row = self.repo.revoke_token(tx, name_or_id.strip(), time.time())
            if row is None:
                raise NotFound(f"no live token named {name_or_id[:70]!r}: see `python app.py tokens list`")
            self._audit(tx, "auth.token_revoked", token=row.name, by=by)
        self._tokens.pop(row.id, None)
        self._changed()

    def tokens(self) -> list[dict[str, Any]]:
        """Every token with its scopes, creator and last use; never its digest."""
        shown = ("id", "name", "scopes", "created", "created_by", "last_used", "revoked")
        return [{k: list(t.scopes) if k == "scopes" else getattr(t, k) for k in shown} for t in self.repo.tokens()]

    def token_principal(self, token: str) -> Principal | None:
        """The principal of an API token (``mova_<id>_<secret>``), or None (cached for CACHE_S)."""
        parts = cred.split_token(token)
        if parts is None:
            return None
        token_id, secret = parts
        now_m = time.monotonic()
        cached = self._tokens.get(token_id)
        if cached is None or now_m >= cached.until:
            row = self.repo.token(token_id)
            principal = None
            if row is not None and row.revoked is None:
                perms = permissions_of_scopes(row.scopes)
                principal = Principal("token", row.name, perms, scopes=row.scopes, token_id=row.id)
            if len(self._tokens) > 10_000:
                self._tokens.clear()
            extra = {"digest": row.digest if row else "", "last_used": (row.last_used or 0.0) if row else 0.0}
            cached = self._tokens[token_id] = _Cached(principal, now_m + CACHE_S, extra)
        if cached.principal is None or not cred.same(cred.digest(self.key, secret), cached.extra["digest"]):
            return None
        now = time.time()
        if now - cached.extra["last_used"] > 60:  # "last used" to the minute: one write a minute per token at most
            cached.extra["last_used"] = now
            self.repo.touch_token(token_id, now)
        return cached.principal

    def ingest_token_name(self, token: str) -> str | None:
        """The name of an API token that may ingest (the ingest Gate's second source of tokens)."""
        found = self.token_principal(token)
        return found.name if found is not None and found.may(INGEST) else None

    def token_attempt_wait(self, address: str, token: str) -> int:
        """Seconds an address (and the token id it names) must wait after too many wrong tokens."""
        parts = cred.split_token(token)
        waits = [self.throttle.wait(f"addr:{address}", ADDRESS_POLICY)]
        if parts:
            waits.append(self.throttle.wait(f"token:{parts[0]}", ACCOUNT_POLICY))
        return max(waits)

    def token_failed(self, address: str, token: str) -> None:
        self.throttle.fail(f"addr:{address}")
        parts = cred.split_token(token)
        if parts:
            self.throttle.fail(f"token:{parts[0]}")

    def live_tokens(self, ids: list[str]) -> set[str]:
        return self.repo.live_tokens(ids)

    # -- first run -----------------------------------------------------------

    def new_setup_token(self) -> str:
        """A one-time set-up secret for the first admin, valid a day or until an admin exists."""
        secret = cred.new_session_id()
        self.repo.set_meta("setup", f"{cred.digest(self.key, secret)}:{time.time() + SETUP_TTL_S}")
        return secret

    def setup_open(self, secret: str) -> bool:
        stored = self.repo.meta("setup")
        if not stored or not secret or self.has_users():
            return False
        digest, _, until = stored.partition(":")
        return float(until) > time.time() and cred.same(cred.digest(self.key, secret), digest)

    def setup(self, secret: str, name: str, password: str, address: str) -> tuple[str, Principal]:
        """Create the first admin with the set-up secret, and sign them in."""
        self._check_throttle(f"addr:{address}", None, address=address, user=None)
        if not self.setup_open(secret):
            self.throttle.fail(f"addr:{address}")
            raise Unauthorized("this set-up link is used, expired or wrong: restart the server for a new one")
        self.add_user(name, "admin", password, by="setup")
        self.repo.set_meta("setup", None)
        return self.login(name, password, address)

    # -- audit -------------------------------------------------------------

    def _check_throttle(self, address_key: str, user_key: str | None, **who: Any) -> None:
        wait = self.throttle.wait(address_key, ADDRESS_POLICY)
        if user_key:
            wait = max(wait, self.throttle.wait(user_key, ACCOUNT_POLICY))
        if wait:
            self.throttled(wait, **who)

    def throttled(self, wait: int, **who: Any) -> None:
        """Raise 429 and, once per blocked spell, record it."""
        spell = f"spell:{who.get('address')}:{who.get('user')}"
        if not self.throttle.wait(spell, _ONCE):
            self.throttle.fail(spell)
            with self.repo.tx() as tx:
                self._audit(tx, "auth.throttled", retry_after=wait, **who)
            self._changed()
        raise RateLimited(f"too many failed attempts: retry in {wait} s", retry_after=wait)

    def _audit(self, tx: Any, type_: str, **data: Any) -> None:
        self.repo.audit(tx, type_, orjson.dumps(data).decode(), time.time())

    def _changed(self) -> None:
        """Something changed: forget cached answers and publish the audit events now."""
        self._sessions.clear()
        self._tokens.clear()
        self._has_users = (False, 0.0)
        self.flush_audit()

    def flush_audit(self) -> int:
        """Publish pending audit events into the event stream (idempotent across processes)."""
        if self.publish is None:
            return 0
        with self._audit_lock:
            rows = self.repo.pending_audit()
            if rows:
                items = [
                    {
                        "id": f"audit-{row_id}",
                        "source": "auth",
                        "type": type_,
                        "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z",
                        "data": orjson.loads(data),
                    }
                    for row_id, type_, data, ts in rows
                ]
                try:
                    self.publish(items)
                except Exception:
                    logger.exception("could not publish %d audit events; they stay in the outbox", len(rows))
                    return 0
            self.repo.mark_published([r[0] for r in rows], time.time() - AUDIT_KEEP_S)
            return len(rows)

    def close(self) -> None:
        self.repo.close()
