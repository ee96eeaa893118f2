"""The OpenAPI paths and schemas of /api/alerts, merged into hub/api/openapi.py's document.

Kept beside the blueprint it describes (hub/alerts/api.py); the checks that hold
for the whole API hold here too: every route appears (tests/unit/test_openapi.py)
and schemathesis fuzzes the real server against it (tests/integration/test_openapi.py).
"""

from __future__ import annotations

from typing import Any

from hub.alerts.rules import FIELDS, KINDS, REDUCERS, SEVERITIES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error"))}


NUMBER_OR_NULL = {"type": ["number", "null"]}
DURATION = {"oneOf": [{"type": "number", "minimum": 0}, {"type": "string"}],
            "description": "seconds, or text like 90s, 5m, 1h30m (Prometheus style)"}  # fmt: skip
STATES = ["ok", "pending", "firing", "resolved", "nodata"]

ALERT_SCHEMAS: dict[str, Any] = {
    "AlertRuleIn": {
        "type": "object",
        "description": "An alert rule. threshold: a series against warning/critical levels, cleared past recovery "
        "(hysteresis), held `for`; absence: no event of `type` (from `source`, for `job`) for `for`; "
        "rate: events of `type` per minute over `window`.",
        "required": ["id", "name", "kind"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$"},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "kind": {"enum": list(KINDS)},
            "series": {"type": "string"},
            "reduce": {"enum": list(REDUCERS)},
            "window": DURATION,
            "type": {"type": "string"},
            "source": {"type": "string"},
            "job": {"type": "string"},
            "op": {"enum": ["above", "below"]},
            "warning": NUMBER_OR_NULL,
            "critical": NUMBER_OR_NULL,
            "recovery": NUMBER_OR_NULL,
            "for": DURATION,
            "no_data": DURATION,
            "severity": {"enum": list(SEVERITIES)},
            "notify": {"type": ["array", "null"], "items": {"type": "string"}},
            "repeat": {"oneOf": [DURATION, {"type": "null"}]},
            "group": {"type": "string"},
            "enabled": {"type": "boolean"},
            "description": {"type": "string"},
        },
        "additionalProperties": False,
        "x-fields": sorted(FIELDS),
    },
    "AlertStatus": {
        "type": "object",
        "required": ["state", "severity"],
        "properties": {
            "state": {"enum": STATES},
            "severity": {"type": "string"},
            "since": NUMBER_OR_NULL,
            "value": NUMBER_OR_NULL,
            "acknowledged_by": {"type": ["string", "null"]},
            "acknowledged_at": NUMBER_OR_NULL,
        },
    },
    "AlertRule": {
        "type": "object",
        "required": ["id", "name", "kind", "origin", "status"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": list(KINDS)},
            "origin": {"enum": ["api", "file"]},
            "status": _ref("AlertStatus"),
        },
        "additionalProperties": True,
    },
    "AlertRuleList": {
        "type": "object",
        "required": ["rules", "service"],
        "properties": {
            "rules": {"type": "array", "items": _ref("AlertRule")},
            "service": {
                "type": "object",
                "description": "this process: leading (evaluates), interval_s, evaluations, contact_points",
            },
        },
    },
    "AlertSilence": {
        "type": "object",
        "required": ["id", "starts", "ends"],
        "properties": {
            "id": {"type": "integer"},
            "rule_id": {"type": ["string", "null"]},
            "source": {"type": ["string", "null"]},
            "starts": {"type": "number"},
            "ends": {"type": "number"},
            "reason": {"type": "string"},
            "created_by": {"type": "string"},
        },
    },
    "AlertSilenceIn": {
        "type": "object",
        "description": "Mute notifications of a rule, or of every rule about a source (an event source, or a "
        "series name prefix), for `duration` seconds. Alerts still change state and show in the stream.",
        "required": ["duration"],
        "properties": {
            "rule_id": {"type": "string"},
            "source": {"type": "string", "maxLength": 200},
            "duration": {"type": "number", "minimum": 1, "maximum": 30 * 86400},
            "reason": {"type": "string", "maxLength": 500},
        },
        "additionalProperties": False,
    },
}


def alert_paths() -> dict[str, Any]:
    rule_id = {"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"}}
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
    bad = _error("invalid input, named in the error's field")
    missing = _error("no such rule")
    conflict = _error("the id is taken, the rule comes from the rules file, or it is not firing")
    body = {"required": True, "content": _json(_ref("AlertRuleIn"))}
    media = _error("the body is not application/json")
    large = _error("the body, or the number of rules, is over its limit")
    return {
        "/api/alerts/rules": {
            "get": {
                "operationId": "listAlertRules",
                "summary": "Every alert rule with its current state",
                "responses": {"200": {"description": "the rules", "content": _json(_ref("AlertRuleList"))}},
            },
            "post": {
                "operationId": "createAlertRule",
                "summary": "Create an alert rule",
                "requestBody": body,
                "responses": {
                    "201": {"description": "created", "content": _json(_ref("AlertRule"))},
                    "400": bad,
                    "409": conflict,
                    "413": large,
                    "415": media,
                },
            },
        },
        "/api/alerts/rules/{rule_id}": {
            "get": {
                "operationId": "getAlertRule",
                "summary": "One rule with its state",
                "parameters": [rule_id],
                "responses": {"200": {"description": "the rule", "content": _json(_ref("AlertRule"))}, "404": missing},
            },
            "put": {
                "operationId": "replaceAlertRule",
                "summary": "Replace a rule (not one from the rules file)",
                "parameters": [rule_id],
                "requestBody": body,
                "responses": {
                    "200": {"description": "replaced", "content": _json(_ref("AlertRule"))},
                    "400": bad,
                    "404": missing,
                    "409": conflict,
                    "413": large,
                    "415": media,
                },
            },
            "delete": {
                "operationId": "deleteAlertRule",
                "summary": "Delete a rule; a firing one resolves",
                "parameters": [rule_id],
                "responses": {"204": {"description": "deleted"}, "404": missing, "409": conflict},
            },
        },
        "/api/alerts/rules/{rule_id}/ack": {
            "post": {
                "operationId": "acknowledgeAlert",
                "summary": "Acknowledge a firing alert: no repeats until it resolves; records who and when",
                "parameters": [rule_id],
                "responses": {
                    "200": {"description": "acknowledged", "content": _json({"type": "object"})},
                    "404": missing,
                    "409": conflict,
                },
            }
        },
        "/api/alerts/rules/{rule_id}/history": {
            "get": {
                "operationId": "alertRuleHistory",
                "summary": "The rule's transitions and acknowledgements, newest first",
                "parameters": [rule_id, limit],
                "responses": {
                    "200": {"description": "history", "content": _json({"type": "object"})},
                    "400": bad,
                    "404": missing,
                },
            }
        },
        "/api/alerts/preview": {
            "post": {
                "operationId": "previewAlertRule",
                "summary": "Validate a rule without storing it; answers its firing and clearing levels",
                "requestBody": body,
                "responses": {
                    "200": {"description": "valid", "content": _json({"type": "object"})},
                    "400": bad,
                    "413": large,
                    "415": media,
                },
            }
        },
        "/api/alerts/silences": {
            "get": {
                "operationId": "listAlertSilences",
                "summary": "Silences active or ended within a day (active=1: active only)",
                "parameters": [{"name": "active", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "silences", "content": _json({"type": "object"})}},
            },
            "post": {
                "operationId": "createAlertSilence",
                "summary": "Silence a rule or a source for a duration",
                "requestBody": {"required": True, "content": _json(_ref("AlertSilenceIn"))},
                "responses": {
                    "201": {"description": "created", "content": _json(_ref("AlertSilence"))},
                    "400": bad,
                    "404": missing,
                    "413": large,
                    "415": media,
                },
            },
        },
        "/api/alerts/silences/{silence_id}": {
            "delete": {
                "operationId": "endAlertSilence",
                "summary": "End a silence now",
                "parameters": [
                    {"name": "silence_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
                ],  # fmt: skip
                "responses": {"204": {"description": "ended"}, "404": _error("no such active silence")},
            }
        },
        "/api/alerts/deliveries": {
            "get": {
                "operationId": "alertDeliveryLog",
                "summary": "Notifications queued and every attempt to send them, newest first",
                "parameters": [limit, {"name": "rule_id", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "the delivery log", "content": _json({"type": "object"})},
                    "400": bad,
                },
            }
        },
    }
