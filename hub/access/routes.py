"""The access routes: sign-in and out, first-run set-up, account, admin (page and JSON), notification read state.

Who may call each is decided before the route runs (hub/access/web.py with the
table in hub/access/rules.py); a route here only does its job. The admin page
is plain forms; its JSON twin (/api/users, /api/tokens) serves scripts with an
admin-scoped token. The notification centre's shared read state: an operator's
"mark all read" or "clear all" is stored as a ``notification.ack`` event (who,
which seq, when), so every page and process sees it and it replays like any
event; GET /api/notifications/state answers the latest marks.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as Reply

from hub.access import pages
from hub.access.web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    client_address,
    form_or_json,
    login_cookie_ok,
    principal,
    safe_next,
    same_origin,
    set_session_cookie,
)
from hub.errors import Forbidden, HubError, InvalidInput

if TYPE_CHECKING:
    from hub.hub import Hub

ACK_TYPE = "notification.ack"


def _html(text: str, status: int = 200) -> Response:
    # Referrer-Policy same-origin, not the guard's no-referrer: under no-referrer a browser sends
    # "Origin: null" with a form's POST, and the Origin check (ours and the guard's) refuses it
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
    return Response(text, status=status, mimetype="text/html", headers=headers)


def access_blueprint(hub: Hub) -> Blueprint:
    from hub.api.responses import error_response, json_response

    access = hub.access
    bp = Blueprint("mova_access", __name__)

    def who_json(p: Any) -> dict[str, Any]:
        return {
            "kind": p.kind,
            "name": p.name,
            "role": p.role,
            "scopes": list(p.scopes),
            "permissions": sorted(p.permissions),
            "csrf": p.csrf,
            "sign_in_required": access.required(),
        }

    # -- sign-in --------------------------------------------------------------

    def login_form(error: str | None = None, status: int = 200, name: str = "") -> Response:
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        response = _html(pages.login_page(token, safe_next(request.values.get("next")), error, name), status)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    @bp.get("/login")
    def login_page() -> Reply:
        if principal().kind == "user":
            return redirect(safe_next(request.args.get("next")))
        if access.required() and not access.has_users():
            return redirect("/setup")
        return login_form()

    @bp.post("/login")
    def login() -> Reply:
        as_json = request.is_json
        try:
            # a JSON body cannot come from a cross-site form (it needs a CORS preflight): the Origin check suffices
            if not same_origin() and request.headers.get("Origin"):
                raise Forbidden("cross-site sign-in refused")
            if not as_json and not login_cookie_ok():
                raise Forbidden("the sign-in form expired: load it again")
            body = form_or_json()
            name, password = str(body.get("name", ""))[:200], str(body.get("password", ""))
            sid, who = access.login(name, password, client_address())
        except HubError as exc:
            if as_json:
                return error_response(exc)
            response = login_form(exc.message, exc.status, str(request.form.get("name", ""))[:64])
            if "retry_after" in exc.details:
                response.headers["Retry-After"] = str(exc.details["retry_after"])
            return response
        reply: Reply = json_response(who_json(who)) if as_json else redirect(safe_next(request.form.get("next")))
        set_session_cookie(reply, sid, access.max_s)
        return reply

    @bp.get("/logout")
    def logout_page() -> Reply:
        return _html(pages.logout_page(principal().csrf))

    @bp.post("/logout")
    def logout() -> Reply:
        who = principal()
        if who.kind == "user":
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
            if not (same_origin() and who.csrf and secrets.compare_digest(given, who.csrf)):
                return error_response(Forbidden("missing or wrong CSRF token: sign out from this site's pages"))
            body = form_or_json() if request.is_json else request.form
            access.logout(who, str(body.get("everywhere", "")) in {"1", "true", "True"}, client_address())
        response = json_response({"signed_out": True}) if request.is_json else redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @bp.get("/api/session")
    def session_info() -> Reply:
        return json_response(who_json(principal()))

    @bp.get("/account")
    def account_page() -> Reply:
        who = principal()
        return _html(pages.account_page({"kind": who.kind, "name": who.name, "role": who.role}, who.csrf))

    # -- first run ------------------------------------------------------------

    @bp.get("/setup")
    def setup_page() -> Reply:
        secret = request.args.get("token", "")
        if access.has_users():
            return redirect("/login")
        token = secrets.token_urlsafe(24)
        shown = secret if access.setup_open(secret) else ""
        response = _html(pages.setup_page(token, shown))
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    @bp.post("/setup")
    def setup() -> Reply:
        secret = request.form.get("token", "")
        try:
            if not (same_origin() and login_cookie_ok()):
                raise Forbidden("the set-up form expired: open the link again")
            sid, _who = access.setup(
                secret, request.form.get("name", ""), request.form.get("password", ""), client_address()
            )
        except HubError as exc:
            token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
            shown = secret if access.setup_open(secret) else ""
            return _html(pages.setup_page(token, shown, exc.message), exc.status)
        response = redirect("/admin")
        set_session_cookie(response, sid, access.max_s)
        return response

    # -- administration -------------------------------------------------------

    def render_admin(notice: str = "", error: str | None = None, new_token: str | None = None) -> Response:
        who = principal()
        page = pages.admin_page(who.name, who.csrf or "", access.users(), access.tokens(), notice, error, new_token)
        return _html(page, 200 if error is None else 400)

    @bp.get("/admin")
    def admin_page() -> Reply:
        return render_admin()

    @bp.post("/admin")
    def admin_form() -> Reply:
        form, by = request.form, principal().name
        action, name = form.get("action", ""), form.get("name", "")
        try:
            if action == "add_user":
                access.add_user(name, form.get("role", "viewer"), form.get("password", ""), by)
                return render_admin(f"Added {name.strip().lower()}.")
            if action == "set_role":
                access.change_user(name, by, role=form.get("role", ""))
                return render_admin(f"{name} is now {form.get('role')}.")
            if action in ("disable", "enable"):
                access.change_user(name, by, disabled=action == "disable")
                return render_admin(f"{name} is {action}d.")
            if action == "reset_password":
                access.change_user(name, by, password=form.get("password", ""))
                return render_admin(f"New password set for {name}; their sessions were ended.")
            if action == "create_token":
                token = access.create_token(name, form.getlist("scope"), by)
                return render_admin(new_token=token)
            if action == "revoke_token":
                access.revoke_token(name, by)
                return render_admin(f"Revoked {name}.")
            raise InvalidInput(f"unknown action {action[:40]!r}")
        except HubError as exc:
            return render_admin(error=exc.message)

    @bp.get("/api/users")
    def list_users() -> Reply:
        return json_response({"users": access.users()})

    @bp.post("/api/users")
    def add_user() -> Reply:
        body = form_or_json()
        access.add_user(
            str(body.get("name", "")), str(body.get("role", "")), str(body.get("password", "")), principal().name
        )
        return json_response({"added": str(body.get("name", "")).strip().lower()}, 201)

    @bp.patch("/api/users/<name>")
    def change_user(name: str) -> Reply:
        body = form_or_json()
        disabled = body.get("disabled")
        if disabled is not None and not isinstance(disabled, bool):
            raise InvalidInput("disabled must be true or false", field="disabled")
        password = body.get("password")
        access.change_user(
            name,
            principal().name,
            role=str(body["role"]) if "role" in body else None,
            disabled=disabled,
            password=str(password) if password is not None else None,
        )
        return json_response({"changed": name})

    @bp.get("/api/tokens")
    def list_tokens() -> Reply:
        return json_response({"tokens": access.tokens()})

    @bp.post("/api/tokens")
    def create_token() -> Reply:
        body = form_or_json()
        scopes = body.get("scopes", [])
        if not isinstance(scopes, list):
            raise InvalidInput('scopes must be a list, e.g. ["read"]', field="scopes")
        token = access.create_token(str(body.get("name", "")), [str(s) for s in scopes], principal().name)
        return json_response({"name": str(body.get("name", "")).strip().lower(), "token": token}, 201)

    @bp.delete("/api/tokens/<name>")
    def revoke_token(name: str) -> Reply:
        access.revoke_token(name, principal().name)
        return json_response({"revoked": name})

    # -- the notification centre's shared read state --------------------------

    @bp.get("/api/notifications/state")
    def notifications_state() -> Reply:
        return json_response(notification_marks(hub))

    @bp.post("/api/notifications/ack")
    def notifications_ack() -> Reply:
        body = form_or_json()
        action = body.get("action", "read")
        through = body.get("through_seq")
        if action not in ("read", "clear"):
            raise InvalidInput('action must be "read" or "clear"', field="action")
        if not isinstance(through, int) or isinstance(through, bool) or not 0 <= through <= hub.store.last_seq:
            raise InvalidInput(f"through_seq must be a seq from 0 to {hub.store.last_seq}", field="through_seq")
        hub.publish(ACK_TYPE, {"action": action, "through_seq": through, "by": principal().name}, "auth")
        return json_response(notification_marks(hub))

    @bp.errorhandler(HubError)
    def hub_error(exc: HubError) -> Response:
        return error_response(exc)

    return bp


def notification_marks(hub: Hub) -> dict[str, Any]:
    """The highest seq marked read and cleared for everyone, from the latest notification.ack events."""
    import orjson

    read_upto = cleared_upto = 0
    for event in hub.store.read_before(hub.store.last_seq + 1, (ACK_TYPE,), 100):
        data = orjson.loads(event.body).get("data", {})
        through = int(data.get("through_seq", 0))
        if data.get("action") == "clear":
            cleared_upto = max(cleared_upto, through)
        read_upto = max(read_upto, through)
    return {"read_upto": read_upto, "cleared_upto": cleared_upto}
