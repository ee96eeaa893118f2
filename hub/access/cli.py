"""`python app.py users ...` and `python app.py tokens ...`: manage access from the server's shell.

These work with the server running or not: they write the access tables
directly (the data dir's access.sqlite3, or the --store-url database), and a
running server sees the change within a couple of seconds and publishes the
audit event. A password is read from a prompt (typed twice) or, when stdin is
not a terminal, from its first line; never from the command line, where other
users of the machine and the shell history would see it.

    users add NAME --role viewer|operator|admin     users list
    users disable NAME / users enable NAME          users reset-password NAME
    users set-role NAME ROLE
    tokens create NAME --scope read|ingest|admin    tokens list
    tokens revoke NAME

Each also takes the server's own --data-dir / --store-url (or MOVA_* variables).
"""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
import time
from collections.abc import Sequence

from hub.access.rules import ROLES, SCOPES
from hub.access.service import Access
from hub.errors import HubError
from hub.settings import Settings, SettingsError, load

COMMANDS = ("users", "tokens")


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Manage MOVA Live users and API tokens.")
    groups = parser.add_subparsers(dest="group", required=True)
    users = groups.add_parser("users", help="people who sign in").add_subparsers(dest="command", required=True)
    add = users.add_parser("add", help="add a user (the password is asked for)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="viewer")
    users.add_parser("list", help="list users")
    for command in ("disable", "enable", "reset-password"):
        users.add_parser(command, help=f"{command.replace('-', ' ')} a user").add_argument("name")
    role = users.add_parser("set-role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    tokens = groups.add_parser("tokens", help="API tokens for scripts").add_subparsers(dest="command", required=True)
    create = tokens.add_parser("create", help="create a token (printed once)")
    create.add_argument("name")
    create.add_argument("--scope", action="append", choices=SCOPES, help="repeatable; default read")
    tokens.add_parser("list", help="list tokens")
    tokens.add_parser("revoke", help="revoke a token").add_argument("name")
    return parser


def read_password(prompt: str = "Password") -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass(f"{prompt} again: ") != first:
            raise SystemExit("error: the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) if ts else "never"


def main(argv: Sequence[str], prog: str = "mova-live users") -> int:
    """``mova-live users|tokens ...`` (app.py's COMMANDS): ``prog`` ends with the group."""
    return run([prog.rsplit(" ", 1)[-1], *argv], prog.rsplit(" ", 1)[0])


def run(argv: Sequence[str], prog: str = "app.py") -> int:
    args, rest = _parser(prog).parse_known_args(list(argv))
    try:
        settings = load(rest)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    access = Access(settings)
    by = f"cli:{getpass.getuser()}"
    try:
        return _dispatch(access, args, by)
    except HubError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        access.close()


def _dispatch(access: Access, args: argparse.Namespace, by: str) -> int:
    what = (args.group, args.command)
    if what == ("users", "add"):
        access.add_user(args.name, args.role, read_password(), by)
        print(f"added {args.name.strip().lower()} ({args.role})")
    elif what == ("users", "list"):
        print(f"{'NAME':24} {'ROLE':9} {'STATE':9} LAST SIGN-IN (UTC)")
        for u in access.users():
            state = "disabled" if u["disabled"] else "active"
            print(f"{u['name']:24} {u['role']:9} {state:9} {_when(u['last_login'])}")
    elif what in (("users", "disable"), ("users", "enable")):
        access.change_user(args.name, by, disabled=args.command == "disable")
        print(f"{args.name}: {args.command}d (signed out everywhere)")
    elif what == ("users", "reset-password"):
        access.change_user(args.name, by, password=read_password("New password"))
        print(f"{args.name}: new password set (signed out everywhere)")
    elif what == ("users", "set-role"):
        access.change_user(args.name, by, role=args.role)
        print(f"{args.name}: role {args.role}")
    elif what == ("tokens", "create"):
        token = access.create_token(args.name, args.scope or ["read"], by)
        print(f"token {args.name.strip().lower()} ({', '.join(sorted(set(args.scope or ['read'])))}), shown once:")
        print(token)
    elif what == ("tokens", "list"):
        print(f"{'NAME':24} {'SCOPES':18} {'LAST USED (UTC)':17} STATE")
        for t in access.tokens():
            state = f"revoked {_when(t['revoked'])}" if t["revoked"] else "live"
            print(f"{t['name']:24} {','.join(t['scopes']):18} {_when(t['last_used']):17} {state}")
    elif what == ("tokens", "revoke"):
        access.revoke_token(args.name, by)
        print(f"revoked {args.name}")
    return 0


def first_run_notice(settings: Settings) -> None:
    """At start-up: sign-in required and no user yet -> print a one-time set-up link (a new one each start)."""
    access = Access(settings)
    try:
        if not access.required() or access.has_users():
            return
        secret = access.new_setup_token()
    finally:
        access.close()
    host = settings.host
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    host = f"[{host}]" if ":" in host else host
    print(
        "Sign-in is required and no user exists yet: no data is served until an admin exists.\n"
        f"  Create the first admin (link works once, for 24 h): http://{host}:{settings.port}/setup?token={secret}\n"
        "  or on this machine: python app.py users add NAME --role admin",
        flush=True,
    )
