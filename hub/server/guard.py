"""Request guards for every route of the server: Host allow-list, security headers, JSON errors.

Installed on the Flask server before the API, the socket and Dash's routes, so
that each rule holds for the page, the API, the assets, /ws and the errors alike:

- a request whose Host header is not on the allow-list (``hub.hostpolicy``)
  is answered 421 before any route runs: a foreign name that resolves to this
  server (DNS rebinding) gets nothing, not even the page; a write (POST...)
  from a browser page of a foreign Origin is answered 403 (the same rule);
- every response carries a Content-Security-Policy under which the page works
  (scripts from this origin plus the hashes of Dash's inline scripts, which
  ``app.py`` hands over in ``server.config[SCRIPT_HASHES]``: hub/ never imports
  Dash), ``nosniff``, ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``,
  and a Referrer-Policy;
- errors Flask raises itself (405 for a method a route does not take, an
  exception that escaped a handler: 500) answer in the JSON error shape under
  /api/ and /ws, where clients expect JSON; elsewhere Flask's own page stands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import orjson
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from hub.errors import Forbidden, HubError, MisdirectedRequest
from hub.server.hostpolicy import HostPolicy

logger = logging.getLogger(__name__)

SCRIPT_HASHES = "MOVA_SCRIPT_HASHES"  # server.config key: CSP hashes of the page's inline scripts
JSON_PREFIXES = ("/api/", "/ws", "/v1/")  # /v1/: the OTLP receiver (hub/integrations/otlp.py)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def content_security_policy(script_hashes: Sequence[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        # React and plotly.js write style attributes and <style> elements at run time
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],  # 'self' covers ws:// and wss:// to this origin (CSP Level 3)
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


# details an error carries that HTTP also wants as a header (429, and 426: RFC 9110 §15.5.22, RFC 6455 §4.4)
DETAIL_HEADERS = {"retry_after": "Retry-After", "upgrade": "Upgrade", "version": "Sec-WebSocket-Version"}


def error_response(error: HubError) -> Response:
    response = Response(orjson.dumps(error.to_dict()), status=error.status, mimetype="application/json")
    for detail, header in DETAIL_HEADERS.items():
        if detail in error.details:
            response.headers[header] = str(error.details[detail])
    return response


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def install(server: Flask, policy: HostPolicy) -> None:
    """Register the guards on ``server``; call before any other before_request hook."""
    server.extensions["mova_host_policy"] = policy
    csp_cache: dict[tuple[str, ...], str] = {}

    @server.before_request
    def check_host_and_origin() -> Response | None:
        if not policy.allows_host(request.host):
            return error_response(
                MisdirectedRequest(
                    f"this server does not answer for Host {request.host[:100]!r}: "
                    "add the name with --allowed-host or --public-url",
                    host=request.host[:100],
                )
            )
        origin = request.headers.get("Origin", "")
        if request.method not in SAFE_METHODS and not policy.allows_origin(origin, request.host):
            # a foreign page's form or fetch (CSRF): a browser sends its Origin with every write
            return error_response(
                Forbidden(f"Origin {origin[:100]!r} may not write here: add it with --allowed-origin")
            )
        return None

    @server.after_request
    def security_headers(response: Response) -> Response:
        hashes = tuple(current_app.config.get(SCRIPT_HASHES, ()))
        csp = csp_cache.get(hashes)
        if csp is None:
            csp = csp_cache[hashes] = content_security_policy(hashes)
        response.headers.setdefault("Content-Security-Policy", csp)
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @server.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        if not wants_json():
            return exc
        message = f"{exc.name}: {exc.description}"
        response = Response(orjson.dumps({"error": message}), status=exc.code or 500, mimetype="application/json")
        if exc.code == 405 and exc.response is None:
            allowed = getattr(exc, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @server.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Response:
        if isinstance(exc, HubError):
            return error_response(exc)
        logger.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return Response("Internal Server Error", status=500, mimetype="text/plain")
        return error_response(HubError("internal server error: the server's log says more; please report it"))
