"""The OpenAPI document: valid OpenAPI 3.1, and in step with the routes the real app registers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from openapi_spec_validator import validate

from app import create_app
from hub.api.openapi import openapi_spec
from hub.events.model import TYPE_PATTERN
from hub.settings import Settings

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# answer 404 (or 405) for unknown paths: not endpoints to document
CATCH_ALL = {"/api/<path:rest>", "/v1/<path:rest>"}
DOCUMENTED = ("/api/", "/v1/", "/metrics")  # the hub's routes; the rest is Dash's page


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(Settings(data_dir=str(tmp_path), collector=False))
    try:
        yield app.server
    finally:
        app.server.extensions["mova_hub"].close()


def api_routes(server: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED) or rule.rule in CATCH_ALL:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.update((path, method.lower()) for method in (rule.methods or set()) - IGNORED_METHODS)
    return routes


def spec_operations(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec["paths"].items() for method in item}


def event_schema(name: str) -> dict[str, Any]:
    spec = openapi_spec()
    return {**spec["components"]["schemas"][name], "components": spec["components"]}


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # the schema carries "components" so that its "#/components/..." refs resolve
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_is_valid_openapi_3_1() -> None:
    spec = openapi_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_documents_every_api_route(server: Flask) -> None:
    routes = api_routes(server)
    assert ("/api/events", "post") in routes  # the walk over url_map found the API at all
    missing = routes - spec_operations(openapi_spec())
    assert not missing, f"routes missing from hub/api/openapi.py: {sorted(missing)}"


def test_documents_no_route_that_does_not_exist(server: Flask) -> None:
    extra = spec_operations(openapi_spec()) - api_routes(server)
    assert not extra, f"hub/api/openapi.py documents routes the app does not have: {sorted(extra)}"


def test_served_document_is_this_one(server: Flask) -> None:
    response = server.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi_spec()


def test_every_error_response_uses_the_error_shape() -> None:
    spec = openapi_spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and error["properties"]["error"]["type"] == "string"


def test_documents_the_websocket_and_the_exports() -> None:
    spec = openapi_spec()
    assert "/ws" in spec["info"]["description"] and spec["x-websocket"]["path"] == "/ws"
    assert '"kind": "hello"' in spec["info"]["description"]
    assert "/api/metrics/export" in spec["paths"] and "/api/events/export" in spec["paths"]


def test_returns_a_fresh_copy() -> None:
    first = openapi_spec()
    first["components"]["schemas"]["Event"]["required"].append("mutated")
    assert "mutated" not in openapi_spec()["components"]["schemas"]["Event"]["required"]


def test_event_schemas_follow_the_envelope() -> None:
    spec = openapi_spec()
    schemas = spec["components"]["schemas"]
    assert schemas["EventIn"]["properties"]["type"]["pattern"] == TYPE_PATTERN.pattern
    assert schemas["Event"]["properties"]["type"]["pattern"] == TYPE_PATTERN.pattern
    assert set(schemas["Event"]["required"]) == {"specversion", "id", "source", "type", "time", "data", "seq"}
    incoming = validator(event_schema("EventIn"))
    assert incoming.is_valid({"type": "ml.training.progress", "data": {"job": "a"}})
    assert incoming.is_valid({"type": "notification", "data": {}, "id": None, "time": "2026-11-26T14:00:00.123Z"})
    assert not incoming.is_valid({"type": "Bad.Type", "data": {}})
    assert not incoming.is_valid({"type": "alert"})
    assert not incoming.is_valid({"type": "alert", "data": [], "specversion": "0.3"})
    batch = validator(event_schema("Batch"))
    assert not batch.is_valid([])
    assert batch.is_valid([{"type": "a", "data": {}}])
