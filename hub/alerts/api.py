"""REST for alerts under /api/alerts: rules (CRUD), states, silences, acknowledgements, history, delivery log.

Its own blueprint, mounted by one line of hub/api/routes.py. Errors are the hub's
JSON shape (``HubError``). Whoever acts (acknowledges, silences) is named by
``acting_user()``: the caller hub/access authorized for this request (a user, an
API token's name, or "anonymous" when sign-in is off). It is never read from a
header a client could set. Which role may call which route: hub/access/rules.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson
from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from hub.alerts.rules import RULE_ID
from hub.errors import Conflict, HubError, InvalidInput, NotFound, TooLarge, UnsupportedMedia

if TYPE_CHECKING:
    from hub.alerts.service import AlertService

MAX_BODY = 64 * 1024
MAX_RULES = 5000
MAX_SILENCE_S = 30 * 86400.0
MAX_SILENCES = 1000


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status=status, mimetype="application/json")


def acting_user() -> str:
    """Who acts: the principal hub/access/web.py set for this request."""
    who = g.get("mova_principal")
    return who.name if who is not None and who.name else "anonymous"


def body() -> Any:
    if request.mimetype != "application/json":
        raise UnsupportedMedia("send the body as application/json")
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise TooLarge(f"the body is over {MAX_BODY} bytes")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from None


def limit_param(default: int = 100, high: int = 1000) -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise InvalidInput(f"limit must be an integer from 1 to {high}", parameter="limit")
    return int(raw)


def register_alerts(server: Flask, service: AlertService) -> None:
    bp = Blueprint("mova_alerts", __name__, url_prefix="/api/alerts")
    repo = service.repo

    def known(rule_id: str) -> Any:
        rule = repo.rule(rule_id) if RULE_ID.match(rule_id) else None
        if rule is None:
            raise NotFound(f"no alert rule {rule_id[:64]!r}: see GET /api/alerts/rules")
        return rule

    def checked(raw: Any, rule_id: str | None = None) -> Any:
        if rule_id is not None and isinstance(raw, dict):
            if raw.get("id", rule_id) != rule_id:
                raise InvalidInput("the body's id differs from the path's: a rule's id cannot change", field="id")
            raw = {**raw, "id": rule_id}
        return service.validate(raw)

    view = service.view

    @bp.get("/rules")
    def list_rules() -> Response:
        return json_response({"rules": service.views(), "service": service.status()})

    @bp.post("/rules")
    def create_rule() -> Response:
        rule = checked(body())
        if len(repo.rules()) >= MAX_RULES:
            raise TooLarge(f"at most {MAX_RULES} alert rules: delete some first")
        if not repo.put_rule(rule, create_only=True):
            raise Conflict(f"a rule {rule.id!r} exists: PUT /api/alerts/rules/{rule.id} to change it", field="id")
        return json_response(view(rule, {}), 201)

    @bp.get("/rules/<rule_id>")
    def get_rule(rule_id: str) -> Response:
        return json_response(view(known(rule_id), repo.states()))

    def writable(rule_id: str) -> None:
        if known(rule_id).origin == "file":
            raise Conflict(f"rule {rule_id!r} comes from the rules file: change it there and restart")

    @bp.put("/rules/<rule_id>")
    def put_rule(rule_id: str) -> Response:
        rule = checked(body(), rule_id)
        writable(rule_id)
        repo.put_rule(rule)
        return json_response(view(rule, repo.states()))

    @bp.delete("/rules/<rule_id>")
    def delete_rule(rule_id: str) -> Response:
        writable(rule_id)
        repo.delete_rule(rule_id)
        return Response(status=204)

    @bp.post("/preview")
    def preview() -> Response:
        """Validate a rule without storing it: the form's live check."""
        rule = checked(body())
        return json_response({"rule": rule.to_dict(), "trigger": rule.trigger if rule.kind != "absence" else None,
                              "clear": rule.clear if rule.kind != "absence" else None})  # fmt: skip

    @bp.post("/rules/<rule_id>/ack")
    def acknowledge(rule_id: str) -> Response:
        known(rule_id)
        state = repo.acknowledge(rule_id, acting_user())
        if state is None:
            raise Conflict(f"rule {rule_id!r} is not firing: only a firing alert can be acknowledged")
        return json_response({"rule_id": rule_id, "acknowledged_by": state.acked_by, "acknowledged_at": state.acked_at})

    @bp.get("/rules/<rule_id>/history")
    def history(rule_id: str) -> Response:
        known(rule_id)
        return json_response({"rule_id": rule_id, "history": repo.history(rule_id, limit_param())})

    @bp.get("/silences")
    def list_silences() -> Response:
        return json_response({"silences": repo.silences(active_only=request.args.get("active") == "1")})

    @bp.post("/silences")
    def create_silence() -> Response:
        raw = body()
        if not isinstance(raw, dict):
            raise InvalidInput('a silence is a JSON object: {"rule_id": "...", "duration": 3600, "reason": "..."}')
        unknown = sorted(set(raw) - {"rule_id", "source", "duration", "reason"})
        if unknown:
            raise InvalidInput(
                f"unknown silence fields {unknown[:5]}: use rule_id, source, duration, reason", field=unknown[0]
            )
        rule_id, source, reason = raw.get("rule_id") or "", raw.get("source") or "", raw.get("reason") or ""
        if not isinstance(rule_id, str) or not isinstance(source, str) or not isinstance(reason, str):
            raise InvalidInput("rule_id, source and reason must be strings")
        if not rule_id and not source:
            raise InvalidInput("give rule_id or source (or both): what the silence mutes", field="rule_id")
        if rule_id:
            known(rule_id)
        if len(source) > 200 or len(reason) > 500:
            raise InvalidInput("source is at most 200 characters, reason at most 500", field="source")
        duration = raw.get("duration")
        if isinstance(duration, bool) or not isinstance(duration, int | float) or not 1 <= duration <= MAX_SILENCE_S:
            raise InvalidInput(f"duration must be seconds from 1 to {MAX_SILENCE_S:g}", field="duration")
        if repo.active_silences() >= MAX_SILENCES:
            raise TooLarge(f"at most {MAX_SILENCES} active silences: end some first (DELETE /api/alerts/silences/<id>)")
        silence = repo.add_silence(rule_id, source, time.time() + duration, reason, acting_user())
        return json_response(silence, 201)

    @bp.delete("/silences/<int:silence_id>")
    def end_silence(silence_id: int) -> Response:
        if silence_id > 2**63 - 1 or not repo.end_silence(silence_id):
            raise NotFound(f"no active silence {silence_id}: see GET /api/alerts/silences")
        return Response(status=204)

    @bp.get("/deliveries")
    def deliveries() -> Response:
        rule_id = request.args.get("rule_id", "")
        if rule_id and not RULE_ID.match(rule_id):
            raise InvalidInput("rule_id is not a rule id", parameter="rule_id")
        return json_response({"deliveries": repo.deliveries(limit_param(), rule_id)})

    @bp.errorhandler(HubError)
    def hub_error(exc: HubError) -> Response:
        return json_response(exc.to_dict(), exc.status)

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return json_response({"error": f"{exc.name}: {exc.description}"}, exc.code or 500)

    server.register_blueprint(bp)
