"""The OpenAPI description of the access endpoints (merged into hub/api/openapi.py's document)."""

from __future__ import annotations

from typing import Any

from hub.access.rules import ROLES, SCOPES

ERROR = {"$ref": "#/components/schemas/Error"}
NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": _json(schema or {"type": "object"})}


def _errors(*codes: str) -> dict[str, Any]:
    text = {
        "400": "invalid input",
        "401": "not signed in, or a wrong token",
        "403": "the role or scope does not allow it, or no CSRF token",
        "404": "no such user or token",
        "409": "a name taken, or the last admin",
        "429": "too many failed attempts (Retry-After)",
    }
    return {code: {"description": text[code], "content": _json(ERROR)} for code in codes}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": _json(schema)}


def access_paths() -> dict[str, Any]:
    user_body = {"name": NAME, "role": {"enum": list(ROLES)}, "password": {"type": "string", "minLength": 10}}
    return {
        "/api/session": {
            "get": {
                "operationId": "getSession",
                "summary": "Who is asking: kind, name, role or scopes, permissions, and the CSRF token of the session",
                "responses": {"200": _ok("the caller")},
            }
        },
        "/api/users": {
            "get": {
                "operationId": "listUsers",
                "summary": "Users (admin)",
                "responses": {"200": _ok("the users"), **_errors("401", "403")},
            },
            "post": {
                "operationId": "addUser",
                "summary": "Add a user (admin)",
                "requestBody": _body(user_body, ["name", "role", "password"]),
                "responses": {"201": _ok("added"), **_errors("400", "401", "403", "409")},
            },
        },
        "/api/users/{name}": {
            "patch": {
                "operationId": "changeUser",
                "summary": "Change a user's role, disable or enable, or set a password; signs the user out (admin)",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": NAME}],
                "requestBody": _body({**user_body, "disabled": {"type": "boolean"}}, []),
                "responses": {"200": _ok("changed"), **_errors("400", "401", "403", "404", "409")},
            }
        },
        "/api/tokens": {
            "get": {
                "operationId": "listTokens",
                "summary": "API tokens with scopes, creator and last use; never the token itself (admin)",
                "responses": {"200": _ok("the tokens"), **_errors("401", "403")},
            },
            "post": {
                "operationId": "createToken",
                "summary": "Create an API token: the answer holds it, once (admin)",
                "requestBody": _body(
                    {"name": NAME, "scopes": {"type": "array", "items": {"enum": list(SCOPES)}, "minItems": 1}},
                    ["name", "scopes"],
                ),
                "responses": {"201": _ok("the token, shown once"), **_errors("400", "401", "403", "409")},
            },
        },
        "/api/tokens/{name}": {
            "delete": {
                "operationId": "revokeToken",
                "summary": "Revoke a token; its open sockets are closed with 4401 (admin)",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _ok("revoked"), **_errors("401", "403", "404")},
            }
        },
        "/api/notifications/state": {
            "get": {
                "operationId": "getNotificationMarks",
                "summary": "The notification centre's marks for everyone: read_upto and cleared_upto seqs",
                "responses": {"200": _ok("the marks"), **_errors("401")},
            }
        },
        "/api/notifications/ack": {
            "post": {
                "operationId": "ackNotifications",
                "summary": "Mark notifications read or cleared for everyone, up to a seq (operator)",
                "requestBody": _body(
                    {"action": {"enum": ["read", "clear"]}, "through_seq": {"type": "integer", "minimum": 0}},
                    ["action", "through_seq"],
                ),
                "responses": {"200": _ok("the marks now"), **_errors("400", "401", "403")},
            }
        },
    }
