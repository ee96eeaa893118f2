"""The HTTP side of access: one check before every request, and the sign-in, set-up and admin routes.

``authorize`` runs before every request: it finds the principal (an
``Authorization: Bearer`` API token, else the session cookie, else anonymous),
looks up the route's permission in hub/access/rules.py and answers 401 (or a
redirect to /login for a page), 403, or 429 before the route runs. It is the
one place roles are enforced; routes read the principal from ``g``. A
state-changing request made with the session cookie must come from our own
Origin and carry the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); requests with a Bearer token carry no ambient credential
and need neither.

Cookie: ``mova_session``, HttpOnly, SameSite=Lax, Secure when the request came
over https (directly or through a proxy's X-Forwarded-Proto), a new random id
at every sign-in (no fixation), lasting until the session's absolute expiry.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from flask import Flask, Response, current_app, g, redirect, request
from werkzeug.wrappers import Response as Reply

from hub.access.principal import Principal
from hub.access.rules import INGEST, PAGE_ENDPOINTS, PUBLIC, READ_ONLY_POSTS, rule_for
from hub.api.responses import error_response
from hub.errors import Forbidden, HubError, InvalidInput, Unauthorized

if TYPE_CHECKING:
    from hub.hub import Hub

SESSION_COOKIE = "mova_session"
LOGIN_COOKIE = "mova_login"  # double-submit token of the sign-in and set-up forms (no session yet)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_origin() -> bool:
    """A state-changing browser request came from our own page: its Origin (or Referer) is one the
    Host guard allows (hub/server/hostpolicy.py, the one place origins are decided). Unlike the guard, which
    lets a request with no Origin through (a script), a cookie-authenticated write must name one."""
    policy = current_app.extensions["mova_host_policy"]
    origin = request.headers.get("Origin")
    if not origin:
        referer = urlsplit(request.headers.get("Referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""
    return bool(origin) and bool(policy.allows_origin(origin, request.host))


def client_address() -> str:
    return request.remote_addr or "unknown"


def principal() -> Principal:
    found: Principal = g.mova_principal
    return found


def safe_next(raw: str | None) -> str:
    """Only a path of this site: never //host or a scheme (an open redirect)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


def install(server: Flask, hub: Hub) -> None:
    """Mount the check before every request and the access routes."""
    access = hub.access

    def identify(strict: bool) -> Principal:
        """The caller: a Bearer token, else the session cookie, else anonymous.

        ``strict``: a wrong token is a 401 (and counts toward the throttle); on public routes it is ignored.
        """
        scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
            if strict and (wait := access.token_attempt_wait(client_address(), token)):
                access.throttled(wait, address=client_address(), user=None)
            found = access.token_principal(token) or producer(token)
            if found is None and strict:
                access.token_failed(client_address(), token)
                raise Unauthorized("unknown or revoked API token: create one on the admin page or the CLI")
            return found or access.anonymous()
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            found = access.session_principal(sid[:128])
            if found is not None:
                return found
            g.mova_session_ended = True
        return access.anonymous()

    def producer(token: str) -> Principal | None:
        """A --token/--producer token: it may ingest, and only that."""
        name = hub.gate.producer_of(token)
        return None if name is None else Principal("token", name, frozenset({INGEST}), scopes=("ingest",))

    @server.before_request
    def authorize() -> Reply | None:
        endpoint = request.endpoint
        need = rule_for(endpoint)
        try:
            if need == INGEST:
                # the ingest Gate (hub/access/gate.py) decides, in the route; here only a blocked address is stopped
                value = (request.headers.get("Authorization") or "").partition(" ")[2].strip()
                wait = access.token_attempt_wait(client_address(), value)
                if wait:
                    access.throttled(wait, address=client_address(), user=None)
                return None
            who = identify(strict=need != PUBLIC)
            g.mova_principal = who
            if need == PUBLIC:
                return None
            if not who.may(need):
                if endpoint == "websocket" and who.kind == "anonymous" and g.get("mova_session_ended"):
                    g.mova_principal = None  # the route accepts and closes with 4401: the page goes to /login
                    return None
                return refuse(who, need, endpoint)
            if request.method in UNSAFE and who.kind == "user":
                check_csrf(who, endpoint)
        except HubError as exc:
            return error_response(exc)
        return None

    def refuse(who: Principal, need: str, endpoint: str | None) -> Reply:
        if who.kind == "anonymous":
            if endpoint in PAGE_ENDPOINTS and request.method == "GET":
                target = (
                    "/setup"
                    if not access.has_users()
                    else "/login?next=" + quote(request.full_path.rstrip("?"), safe="")
                )
                return redirect(target)
            first = "" if access.has_users() else " (no user exists yet: open the set-up link printed at start-up)"
            error = Unauthorized(
                f"sign in at /login or send 'Authorization: Bearer <API token>'{first}", login="/login"
            )
            return error_response(error)
        what = f"role {who.role}" if who.kind == "user" else f"token scopes {', '.join(who.scopes)}"
        return error_response(Forbidden(f"your {what} does not allow {need}: ask an admin", needs=need))

    def check_csrf(who: Principal, endpoint: str | None) -> None:
        if not same_origin():
            raise Forbidden("cross-site request refused: send it from this site's own pages")
        if endpoint in READ_ONLY_POSTS:
            return
        given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not who.csrf or not secrets.compare_digest(given.encode(), who.csrf.encode()):
            raise Forbidden("missing or wrong CSRF token: reload the page (scripts: X-CSRF-Token from /api/session)")

    @server.after_request
    def count_token_failures(response: Response) -> Response:
        # a wrong ingest token is answered 401 by the Gate in the route: count it against the address
        if response.status_code == 401 and rule_for(request.endpoint) == INGEST:
            value = (request.headers.get("Authorization") or "").partition(" ")[2].strip()
            access.token_failed(client_address(), value)
        return response

    from hub.access.routes import access_blueprint

    server.register_blueprint(access_blueprint(hub))


def set_session_cookie(response: Reply, sid: str, max_age: float) -> None:
    secure = request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"
    response.set_cookie(
        SESSION_COOKIE, sid, max_age=int(max_age), httponly=True, samesite="Lax", secure=secure, path="/"
    )


def login_cookie_ok() -> bool:
    """The sign-in form's double-submit token: its cookie and its field agree, and the Origin is ours."""
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    field = request.form.get("csrf_token", "")
    return bool(cookie) and secrets.compare_digest(cookie.encode(), field.encode())


def form_or_json() -> dict[str, Any]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput('send a JSON object, e.g. {"name": "ana", "password": "..."}')
        return body
    return request.form.to_dict()
