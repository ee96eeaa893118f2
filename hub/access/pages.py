"""The sign-in, set-up, account and admin pages: small server-rendered HTML in the dashboard's style.

No script runs on them (plain forms that POST, each with its CSRF token), so
they work under a strict Content-Security-Policy and with JavaScript off. Every
value is escaped with ``html.escape``; nothing a user typed is rendered raw.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from hub.access.rules import ROLES, SCOPES


def _page(title: str, body: str, wide: bool = False) -> str:
    width = "access-wide" if wide else "access-narrow"
    return f"""<!doctype html>
<html lang="en" data-bs-theme="dark">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · MOVA Live</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/mova.css">
<link rel="stylesheet" href="/assets/access.css">
</head>
<body class="access-body">
<main class="access-main {width}">
<a class="brand access-brand" href="/"><span class="brand-mark">M</span><span class="brand-name">MOVA</span>
<span class="brand-sub">Live</span></a>
{body}
</main>
</body>
</html>"""


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def _error(message: str | None) -> str:
    return (
        f'<div class="alert alert-danger py-2" role="alert" id="access-error">{escape(message)}</div>'
        if message
        else ""
    )


def login_page(csrf: str, next_url: str, error: str | None = None, name: str = "") -> str:
    body = f"""<section class="mova-card access-card">
<h1 class="access-title">Sign in</h1>
{_error(error)}
<form method="post" action="/login" id="login-form">
{_hidden("csrf_token", csrf)}{_hidden("next", next_url)}
<label class="form-label" for="login-name">Name</label>
<input class="form-control mb-3" id="login-name" name="name" autocomplete="username" required autofocus
 value="{escape(name)}">
<label class="form-label" for="login-password">Password</label>
<input class="form-control mb-4" id="login-password" name="password" type="password"
 autocomplete="current-password" required>
<button class="btn btn-primary w-100" id="login-submit" type="submit">Sign in</button>
</form>
<p class="access-hint">No account? An admin adds one: <code>python app.py users add NAME --role viewer</code></p>
</section>"""
    return _page("Sign in", body)


def setup_page(csrf: str, secret: str, error: str | None = None) -> str:
    if not secret:
        body = """<section class="mova-card access-card"><h1 class="access-title">Set-up</h1>
<p>This server has no user yet and serves no data until an admin exists.</p>
<p>Open the one-time set-up link the server printed at start-up, or on the server run
<code>python app.py users add NAME --role admin</code>.</p></section>"""
        return _page("Set-up", body)
    body = f"""<section class="mova-card access-card">
<h1 class="access-title">Create the first admin</h1>
<p class="access-hint mb-3">This link works once. The admin then adds the team on the admin page.</p>
{_error(error)}
<form method="post" action="/setup" id="setup-form">
{_hidden("csrf_token", csrf)}{_hidden("token", secret)}
<label class="form-label" for="setup-name">Name</label>
<input class="form-control mb-3" id="setup-name" name="name" autocomplete="username" required autofocus>
<label class="form-label" for="setup-password">Password (10 characters or more)</label>
<input class="form-control mb-4" id="setup-password" name="password" type="password" minlength="10"
 autocomplete="new-password" required>
<button class="btn btn-primary w-100" id="setup-submit" type="submit">Create admin and sign in</button>
</form></section>"""
    return _page("Set-up", body)


def _logout_forms(csrf: str) -> str:
    return f"""<form method="post" action="/logout" class="d-inline">{_hidden("csrf_token", csrf)}
<button class="btn btn-outline-light btn-sm" id="logout-submit" type="submit">Sign out</button></form>
<form method="post" action="/logout" class="d-inline">{_hidden("csrf_token", csrf)}{_hidden("everywhere", "1")}
<button class="btn btn-outline-danger btn-sm" id="logout-everywhere" type="submit">Sign out everywhere</button></form>"""


def account_page(who: dict[str, Any], csrf: str | None) -> str:
    if who["kind"] != "user" or csrf is None:
        body = """<section class="mova-card access-card"><h1 class="access-title">Account</h1>
<p>This server is open: nobody needs to sign in (loopback with no user, or <code>--auth open</code>).</p>
<p>Add the first admin with <code>python app.py users add NAME --role admin</code>.</p>
<a href="/">Back to the dashboard</a></section>"""
        return _page("Account", body)
    admin = (
        '<a class="btn btn-primary btn-sm" id="admin-link" href="/admin">Users and tokens</a>'
        if (who["role"] == "admin")
        else ""
    )
    body = f"""<section class="mova-card access-card">
<h1 class="access-title">{escape(who["name"])}</h1>
<p>Role: <strong id="account-role">{escape(who["role"])}</strong></p>
<div class="d-flex gap-2 flex-wrap">{_logout_forms(csrf)} {admin}</div>
<p class="access-hint"><a href="/">Back to the dashboard</a></p></section>"""
    return _page("Account", body)


def logout_page(csrf: str | None) -> str:
    if csrf is None:
        return _page(
            "Signed out",
            '<section class="mova-card access-card"><p>You are not signed in.</p>'
            '<a href="/login">Sign in</a></section>',
        )
    body = f"""<section class="mova-card access-card"><h1 class="access-title">Sign out</h1>
<div class="d-flex gap-2">{_logout_forms(csrf)}</div></section>"""
    return _page("Sign out", body)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts)) if ts else "never"


def _select(name: str, options: tuple[str, ...], chosen: str) -> str:
    items = "".join(
        f'<option value="{escape(o)}"{" selected" if o == chosen else ""}>{escape(o)}</option>' for o in options
    )
    return f'<select class="form-select form-select-sm" name="{escape(name)}">{items}</select>'


def _form(csrf: str, action: str, inner: str, extra: str = "") -> str:
    return (
        f'<form method="post" action="/admin" class="access-inline"{extra}>'
        f"{_hidden('csrf_token', csrf)}{_hidden('action', action)}{inner}</form>"
    )


def admin_page(
    me: str,
    csrf: str,
    users: list[dict[str, Any]],
    tokens: list[dict[str, Any]],
    notice: str = "",
    error: str | None = None,
    new_token: str | None = None,
) -> str:
    rows = []
    for u in users:
        name = escape(u["name"])
        state = "disabled" if u["disabled"] else "active"
        toggle = "enable" if u["disabled"] else "disable"
        role_form = _form(
            csrf,
            "set_role",
            _hidden("name", u["name"])
            + _select("role", ROLES, u["role"])
            + '<button class="btn btn-sm btn-outline-light" type="submit">Set</button>',
        )
        toggle_form = _form(
            csrf,
            toggle,
            _hidden("name", u["name"])
            + f'<button class="btn btn-sm btn-outline-warning" type="submit">{toggle.title()}</button>',
        )
        reset_form = _form(
            csrf,
            "reset_password",
            _hidden("name", u["name"]) + '<input class="form-control form-control-sm" name="password" type="password" '
            'minlength="10" placeholder="new password" autocomplete="new-password" required>'
            '<button class="btn btn-sm btn-outline-light" type="submit">Reset</button>',
        )
        rows.append(
            f'<tr data-user="{name}"><td>{name}{" (you)" if u["name"] == me else ""}</td>'
            f'<td>{role_form}</td><td class="user-state">{state}</td><td>{_when(u["last_login"])}</td>'
            f"<td>{toggle_form}</td><td>{reset_form}</td></tr>"
        )
    token_rows = []
    for t in tokens:
        name = escape(t["name"])
        revoke = (
            ""
            if t["revoked"]
            else _form(
                csrf,
                "revoke_token",
                _hidden("name", t["name"])
                + '<button class="btn btn-sm btn-outline-danger" type="submit">Revoke</button>',
            )
        )
        state = f"revoked {_when(t['revoked'])}" if t["revoked"] else "live"
        token_rows.append(
            f'<tr data-token="{name}"><td>{name}</td><td>{escape(", ".join(t["scopes"]))}</td>'
            f"<td>{escape(t['created_by'])}, {_when(t['created'])}</td><td>{_when(t['last_used'])}</td>"
            f'<td class="token-state">{state}</td><td>{revoke}</td></tr>'
        )
    shown = ""
    if new_token:
        shown = (
            f'<div class="alert alert-success" id="new-token">Copy this token now: it is shown once.'
            f'<code class="access-token" id="new-token-value">{escape(new_token)}</code></div>'
        )
    notice_html = f'<div class="alert alert-info py-2" id="access-notice">{escape(notice)}</div>' if notice else ""
    scope_boxes = "".join(
        f'<label class="me-2"><input type="checkbox" name="scope" value="{s}"{" checked" if s == "read" else ""}> '
        f"{s}</label>"
        for s in SCOPES
    )
    body = f"""<div class="access-top"><h1 class="access-title">Users and tokens</h1>
<span><a href="/">Dashboard</a> · <a href="/account">{escape(me)}</a></span></div>
{_error(error)}{notice_html}{shown}
<section class="mova-card access-card"><h2 class="access-sub">Users</h2>
<table class="table table-sm access-table" id="users-table"><thead><tr><th>Name</th><th>Role</th><th>State</th>
<th>Last sign-in</th><th></th><th>Password</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
{
        _form(
            csrf,
            "add_user",
            '<input class="form-control form-control-sm" name="name" placeholder="name" required>'
            + _select("role", ROLES, "viewer")
            + '<input class="form-control form-control-sm" name="password" type="password" minlength="10" '
            'placeholder="password (10+)" autocomplete="new-password" required>'
            '<button class="btn btn-sm btn-primary" id="add-user" type="submit">Add user</button>',
            ' id="add-user-form"',
        )
    }
</section>
<section class="mova-card access-card"><h2 class="access-sub">API tokens</h2>
<table class="table table-sm access-table" id="tokens-table"><thead><tr><th>Name</th><th>Scopes</th><th>Created</th>
<th>Last used</th><th>State</th><th></th></tr></thead><tbody>{"".join(token_rows)}</tbody></table>
{
        _form(
            csrf,
            "create_token",
            '<input class="form-control form-control-sm" name="name" placeholder="token name" required>'
            + scope_boxes
            + '<button class="btn btn-sm btn-primary" id="create-token" type="submit">Create token</button>',
            ' id="create-token-form"',
        )
    }
</section>"""
    return _page("Users and tokens", body, wide=True)
