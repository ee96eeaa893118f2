"""Who may do what: roles, token scopes, permissions, and the one rule per route.

Every Flask endpoint has exactly one row in ``ENDPOINT_RULES`` naming the
permission it needs. A route added later without a row is refused to everyone
but admins (fail closed) and fails tests/integration/test_access_matrix.py,
which builds the role x route matrix from the app's own url_map.

Permissions:
    public   no credentials (the login page, liveness, static code with no data)
    read     the page, every read endpoint, the exports, /ws
    ack      acknowledge or clear notifications for everyone; acknowledge and silence
             alerts, and manage alert rules (the on-call operator's work)
    admin    users, tokens, the admin page
    ingest   POST /api/events: decided by the ingest Gate (hub/access/gate.py), which
             takes --token/--producer tokens and API tokens of scope ingest

Roles are cumulative (viewer < operator < admin); token scopes are chosen one by one.
"""

from __future__ import annotations

from typing import Final

PUBLIC: Final = "public"
READ: Final = "read"
ACK: Final = "ack"
ADMIN: Final = "admin"
INGEST: Final = "ingest"

ROLES: Final = ("viewer", "operator", "admin")
ROLE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "viewer": frozenset({READ}),
    "operator": frozenset({READ, ACK}),
    "admin": frozenset({READ, ACK, ADMIN}),
}

SCOPES: Final = ("read", "ingest", "admin")
SCOPE_PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset({READ}),
    "ingest": frozenset({INGEST}),
    "admin": frozenset({READ, ACK, ADMIN, INGEST}),
}

# with no sign-in needed (loopback and no users, or --auth open) anyone may read and acknowledge, as before
OPEN_PERMISSIONS: Final = frozenset({READ, ACK})

# endpoints a browser navigates to: without credentials they redirect to the login page instead of a 401
PAGE_ENDPOINTS: Final = frozenset({"/", "/<path:path>", "mova_access.admin_page", "mova_access.account_page"})

# POSTs that only read (Dash's server callbacks): the Origin is checked, but Dash's renderer sends no CSRF token
READ_ONLY_POSTS: Final = frozenset({"/_dash-update-component"})

ENDPOINT_RULES: Final[dict[str, str]] = {
    # static code and styles: no data in them, and the login page needs the styles
    "static": PUBLIC,
    "_dash_assets.static": PUBLIC,
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>": PUBLIC,
    "/_favicon.ico": PUBLIC,
    # the Dash page and its server callbacks
    "/": READ,
    "/<path:path>": READ,
    "/_dash-layout": READ,
    "/_dash-dependencies": READ,
    "/_dash-update-component": READ,
    "/_reload-hash": READ,
    # the REST API (hub/api/routes.py)
    "mova_api.post_events": INGEST,
    "mova_api.get_events": READ,
    "mova_api.get_status": READ,
    "mova_api.get_health": PUBLIC,  # liveness probes carry no credentials; it says only {"ok": true}
    "mova_api.get_metrics": READ,
    "mova_api.get_metrics_export": READ,
    "mova_api.get_events_export": READ,
    "mova_api.get_series": READ,
    "mova_api.get_openapi": READ,
    "mova_api.unknown_api": PUBLIC,  # a 404 in the JSON shape tells nothing
    "websocket": READ,
    # OpenTelemetry in (hub/integrations/otlp.py): the ingest Gate decides, as for POST /api/events
    "mova_otlp.post_metrics": INGEST,
    "mova_otlp.post_logs": INGEST,
    "mova_otlp.other": PUBLIC,  # a 404/405 naming the two receivers tells nothing
    # Prometheus out (hub/integrations/prom.py): a scraper sends a read-scoped API token (authorization: credentials)
    "get_prometheus_metrics": READ,
    # sign-in, set-up and the session itself (each handles an anonymous caller on its own)
    "mova_access.login_page": PUBLIC,
    "mova_access.login": PUBLIC,
    "mova_access.logout_page": PUBLIC,
    "mova_access.logout": PUBLIC,
    "mova_access.setup_page": PUBLIC,
    "mova_access.setup": PUBLIC,
    "mova_access.session_info": PUBLIC,
    "mova_access.account_page": READ,
    # shared read state of the notification centre
    "mova_access.notifications_state": READ,
    "mova_access.notifications_ack": ACK,
    # alerts (hub/alerts/api.py): reading them is reading; acting on them is the operator's
    "mova_alerts.list_rules": READ,
    "mova_alerts.get_rule": READ,
    "mova_alerts.history": READ,
    "mova_alerts.list_silences": READ,
    "mova_alerts.deliveries": READ,
    "mova_alerts.preview": READ,  # evaluates a draft rule over the store, stores nothing
    "mova_alerts.create_rule": ACK,
    "mova_alerts.put_rule": ACK,
    "mova_alerts.delete_rule": ACK,
    "mova_alerts.acknowledge": ACK,
    "mova_alerts.create_silence": ACK,
    "mova_alerts.end_silence": ACK,
    # administration: the page and its JSON twin for scripts
    "mova_access.admin_page": ADMIN,
    "mova_access.admin_form": ADMIN,
    "mova_access.list_users": ADMIN,
    "mova_access.add_user": ADMIN,
    "mova_access.change_user": ADMIN,
    "mova_access.list_tokens": ADMIN,
    "mova_access.create_token": ADMIN,
    "mova_access.revoke_token": ADMIN,
}


def rule_for(endpoint: str | None) -> str:
    """The permission an endpoint needs; one without a rule needs admin (fail closed)."""
    if endpoint is None:  # no route matched: Flask answers 404 or 405 itself
        return PUBLIC
    return ENDPOINT_RULES.get(endpoint, ADMIN)


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def permissions_of_scopes(scopes: tuple[str, ...]) -> frozenset[str]:
    found: frozenset[str] = frozenset()
    for scope in scopes:
        found |= SCOPE_PERMISSIONS.get(scope, frozenset())
    return found
