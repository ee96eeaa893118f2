"""The alerts card: the rule list, acknowledge and silence, a rule's chart with its threshold lines and its
history, and the rule form with a live preview.

User actions only, on the server (DESIGN.md §5): the list refreshes on its own
interval while the card is on screen (assets/client/panel_alerts.js turns the
interval off out of view) and after each action, never per event; the bell and the feed already
show every ``alert`` event live. Each callback is a thin wrapper over a plain
function that tests call directly; every write goes through the hub's alert
service, the same checks as the REST API (hub/alerts/api.py), and the role's (``may_act``).
"""

from __future__ import annotations

import hashlib
import time
from contextlib import suppress
from typing import Any

import dash
import flask
from dash import ALL, Input, Output, State, ctx, html, no_update

from components import ids
from hub.access.rules import ACK
from hub.alerts.api import acting_user
from hub.errors import HubError

SILENCE_S = 3600.0
PREVIEW_WINDOW_S = 900.0
LEVEL_COLORS = {"warning": "#f0ad4e", "critical": "#d9534f", "recovery": "#5cb85c"}
NUMBER_FIELDS = ("warning", "critical", "recovery")


def ago(ts: float | None, now: float) -> str:
    if not ts:
        return ""
    s = max(0, int(now - ts))
    return f"{s} s" if s < 60 else f"{s // 60} min" if s < 3600 else f"{s // 3600} h"


def rule_rows(views: list[dict[str, Any]], now: float) -> list[Any]:
    """One row per rule: its state, name, value and the actions that fit its state."""
    if not views:
        return [
            html.Div(
                "No alert rules yet: add one with New rule, the API or a rules file.", className="empty-state small"
            )
        ]
    rows = []
    for view in views:
        status, rule_id = view["status"], view["id"]
        state = status["state"]
        value = status["value"]
        acked = status["acknowledged_by"]
        actions: list[Any] = [
            html.Button("Chart", id={"type": ids.ALERTS_SHOW, "rule": rule_id}, className="btn btn-link btn-sm")
        ]
        if state == "firing" and not acked:
            actions.append(html.Button("Acknowledge", id={"type": ids.ALERTS_ACK, "rule": rule_id},
                                       className="btn btn-outline-warning btn-sm"))  # fmt: skip
        actions.append(html.Button("Silence 1 h", id={"type": ids.ALERTS_SILENCE, "rule": rule_id},
                                   className="btn btn-outline-secondary btn-sm"))  # fmt: skip
        detail = [f"{view['kind']}", f"value {value:.4g}" if isinstance(value, int | float) else "no value yet"]
        if status["since"] and state != "ok":
            detail.append(f"{state} for {ago(status['since'], now)}")
        if acked:
            detail.append(f"acknowledged by {acked}")
        rows.append(
            html.Div(
                [
                    html.Span(state, className=f"alert-state alert-state-{state} sev-{status['severity'] or 'none'}"),
                    html.Div(
                        [
                            html.Div(view["name"], className="alert-name"),
                            html.Div(" · ".join(detail), className="alert-detail small"),
                        ],  # fmt: skip
                        className="alert-text",
                    ),
                    html.Div(actions, className="alert-actions"),
                ],
                className="alert-row",
                **{"data-rule": rule_id, "data-state": state},
            )
        )
    return rows


def with_latest(views: list[dict[str, Any]], latest: dict[str, float]) -> list[dict[str, Any]]:
    """Threshold rules on the latest sample show it even when their state has not moved (the state keeps
    the value of its last transition)."""
    out = []
    for view in views:
        if view["kind"] == "threshold" and view["reduce"] == "last" and view["series"] in latest:
            view = {**view, "status": {**view["status"], "value": latest[view["series"]]}}
        out.append(view)
    return out


def threshold_figure(series: dict[str, Any] | None, rule: dict[str, Any], height: int = 200) -> dict[str, Any]:
    """The rule's series with a horizontal line at each of its levels (warning, critical, recovery)."""
    data = []
    if series is not None:
        data.append({"type": "scatter", "mode": "lines", "name": series["name"], "x": series["t"], "y": series["v"],
                     "line": {"color": "#4c8dff", "width": 2}})  # fmt: skip
    shapes, notes = [], []
    for level in ("warning", "critical", "recovery"):
        value = rule.get(level)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        color = LEVEL_COLORS[level]
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": value, "y1": value,
                       "line": {"color": color, "width": 1.5, "dash": "dot" if level == "recovery" else "dash"}})  # fmt: skip
        notes.append({"xref": "paper", "x": 1, "y": value, "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                      "text": f"{level} {value:g}", "font": {"color": color, "size": 11}})  # fmt: skip
    return {
        "data": data,
        "layout": {
            "height": height, "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "showlegend": False,
            "font": {"color": "#8b93a7", "size": 11}, "xaxis": {"gridcolor": "#252c3a", "zeroline": False},
            "yaxis": {"gridcolor": "#252c3a", "zeroline": False},
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "shapes": shapes, "annotations": notes,
            "uirevision": rule.get("id") or "preview", "meta": {"levels": [s["y0"] for s in shapes]},
        },
    }  # fmt: skip


def history_items(history: list[dict[str, Any]]) -> list[Any]:
    items = []
    for h in history:
        when = time.strftime("%H:%M:%S", time.localtime(h["at"]))
        what = f"acknowledged by {h['acknowledged_by']}" if h["acknowledged_by"] else f"{h['from']} → {h['to']}"
        value = f" at {h['value']:.4g}" if isinstance(h["value"], int | float) else ""
        items.append(html.Li(f"{when}  {what}{value}", className="alert-history-item", **{"data-to": h["to"]}))
    return items or [html.Li("No transitions yet.", className="empty-state small")]


KIND_FIELDS = {
    "threshold": ("series", "op", "warning", "critical", "recovery", "for"),
    "absence": ("type", "source", "for"),
    "rate": ("type", "source", "op", "warning", "critical", "recovery", "for", "window"),
}
COMMON_FIELDS = ("id", "name", "kind", "notify")


def form_rule(fields: dict[str, Any]) -> dict[str, Any]:
    """The rule as typed in the form, in the API's shape (empty fields left out, numbers as numbers)."""
    kind = fields.get("kind") or "threshold"
    raw: dict[str, Any] = {"id": (fields.get("id") or "").strip(), "name": (fields.get("name") or "").strip(),
                           "kind": kind}  # fmt: skip
    for name in KIND_FIELDS.get(kind, ()):
        value = fields.get(name)
        if value is None or value == "":
            continue
        if name in NUMBER_FIELDS and isinstance(value, str):
            with suppress(ValueError):  # left as text if it is none: the validation names the field
                value = float(value)
        raw[name] = value.strip() if isinstance(value, str) else value
    notify = fields.get("notify")
    if isinstance(notify, str) and notify.strip():
        raw["notify"] = [n.strip() for n in notify.split(",") if n.strip()]
    return raw


def check(service: Any, raw: dict[str, Any]) -> tuple[str, bool]:
    """What the server's validation says of the rule as typed, and whether it may be saved."""
    try:
        rule = service.validate(raw)
    except HubError as exc:
        return exc.message, False
    if rule.kind == "absence":
        return f"Fires when no {rule.type} arrives for {rule.for_s:g} s.", True
    return f"Fires {rule.op} {rule.trigger:g} held {rule.for_s:g} s; clears past {rule.clear:g}.", True


def may_act() -> bool:
    """The caller may acknowledge, silence and manage rules (hub/access/rules.py's ack permission)."""
    who = flask.g.get("mova_principal")
    return who is not None and who.may(ACK)


def register(app: dash.Dash, settings: Any) -> None:
    def hub() -> Any:
        return app.server.extensions["mova_hub"]

    @app.callback(
        Output(ids.ALERTS_LIST, "children"),
        Output(ids.ALERTS_COUNT, "children"),
        Output(ids.ALERTS_SIGNATURE, "data"),
        Input(ids.ALERTS_POLL, "n_intervals"),
        Input(ids.ALERTS_CHANGED, "data"),
        State(ids.ALERTS_SIGNATURE, "data"),
    )
    def refresh(_n: int | None, _changed: int | None, shown: str | None) -> Any:
        h = hub()
        views = with_latest(h.alerts.views(), h.store.latest_values())
        now = time.time()
        rows = rule_rows(views, now)
        signature = hashlib.sha1(repr(rows).encode()).hexdigest()
        if signature == shown:
            return no_update, no_update, no_update  # nothing changed: the rows (and a button under the mouse) stay
        firing = sum(v["status"]["state"] == "firing" for v in views)
        return rows, f"{firing} firing" if firing else str(len(views)), signature

    @app.callback(
        Output(ids.ALERTS_MESSAGE, "children"),
        Output(ids.ALERTS_CHANGED, "data"),
        Output(ids.ALERTS_FORM, "is_open"),
        Input({"type": ids.ALERTS_ACK, "rule": ALL}, "n_clicks"),
        Input({"type": ids.ALERTS_SILENCE, "rule": ALL}, "n_clicks"),
        Input(ids.ALERTS_NEW, "n_clicks"),
        Input(ids.ALERTS_FORM_CANCEL, "n_clicks"),
        Input(ids.ALERTS_FORM_SAVE, "n_clicks"),
        State({"type": ids.ALERTS_FORM_FIELD, "field": ALL}, "value"),
        State(ids.ALERTS_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def act(_acks: Any, _silences: Any, _new: Any, _cancel: Any, _save: Any, values: list[Any], changed: int) -> Any:
        trigger = ctx.triggered_id
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return no_update, no_update, no_update  # a button drawn anew, not clicked
        service = hub().alerts
        if not may_act():  # Dash's callback route is a read (hub/access/rules.py): the role is checked here
            return "Your role may view alerts only: acting on them is for operators and admins.", no_update, False
        if trigger == ids.ALERTS_NEW:
            return "", no_update, True
        if trigger == ids.ALERTS_FORM_CANCEL:
            return "", no_update, False
        try:
            if trigger == ids.ALERTS_FORM_SAVE:
                fields = {s["id"]["field"]: v for s, v in zip(ctx.states_list[0], values, strict=True)}
                rule = service.validate(form_rule(fields))
                if not service.repo.put_rule(rule, create_only=True):
                    return f"A rule {rule.id!r} exists already: pick another id.", no_update, True
                return f"Rule {rule.name!r} saved.", changed + 1, False
            rule_id = trigger["rule"]
            if trigger["type"] == ids.ALERTS_ACK:
                state = service.repo.acknowledge(rule_id, acting_user())
                text = f"Acknowledged {rule_id} as {state.acked_by}." if state else f"{rule_id} is not firing any more."
                return text, changed + 1, no_update
            service.repo.add_silence(rule_id, "", time.time() + SILENCE_S, "silenced from the page", acting_user())
            return f"Silenced {rule_id} for an hour: it notifies nobody until then.", changed + 1, no_update
        except HubError as exc:
            return exc.message, no_update, no_update

    @app.callback(
        Output(ids.ALERTS_SELECTED, "data"),
        Input({"type": ids.ALERTS_SHOW, "rule": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def select(_clicks: Any) -> Any:
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return no_update
        return ctx.triggered_id["rule"]

    @app.callback(
        Output(ids.ALERTS_DETAIL_TITLE, "children"),
        Output(ids.ALERTS_GRAPH, "figure"),
        Output(ids.ALERTS_HISTORY, "children"),
        Input(ids.ALERTS_SELECTED, "data"),
        Input(ids.ALERTS_POLL, "n_intervals"),
        Input(ids.ALERTS_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def detail(rule_id: str | None, _n: Any, _changed: Any) -> Any:
        if not rule_id:
            return no_update, no_update, no_update
        h = hub()
        rule = h.alerts.repo.rule(rule_id)
        if rule is None:
            return "That rule was deleted", threshold_figure(None, {}), []
        series = None
        if rule.kind == "threshold" and rule.series in h.store.known_series():
            now = time.time()
            (series,) = h.store.query_series([rule.series], now - PREVIEW_WINDOW_S, now, 300)
        history = h.alerts.repo.history(rule_id, 20)
        return f"{rule.name} · last 15 min", threshold_figure(series, rule.to_dict()), history_items(history)

    @app.callback(
        Output({"type": ids.ALERTS_FORM_COL, "field": ALL}, "style"),
        Input({"type": ids.ALERTS_FORM_FIELD, "field": "kind"}, "value"),
    )
    def show_fields(kind: str | None) -> list[dict[str, str]]:
        shown = {*COMMON_FIELDS, *KIND_FIELDS.get(kind or "threshold", ())}
        return [{} if o["id"]["field"] in shown else {"display": "none"} for o in ctx.outputs_list]

    @app.callback(
        Output(ids.ALERTS_FORM_SERIES, "children"),
        Input(ids.ALERTS_FORM, "is_open"),
        prevent_initial_call=True,
    )
    def series_options(is_open: bool) -> Any:
        if not is_open:
            return no_update
        return [html.Option(value=n) for n in sorted(hub().store.known_series())]

    @app.callback(
        Output(ids.ALERTS_FORM_PREVIEW, "figure"),
        Output(ids.ALERTS_FORM_CHECK, "children"),
        Output(ids.ALERTS_FORM_SAVE, "disabled"),
        Input({"type": ids.ALERTS_FORM_FIELD, "field": ALL}, "value"),
        prevent_initial_call=True,
    )
    def preview(values: list[Any]) -> Any:
        fields = {s["id"]["field"]: v for s, v in zip(ctx.inputs_list[0], values, strict=True)}
        raw = form_rule(fields)
        h = hub()
        series = None
        name = raw.get("series")
        if raw["kind"] == "threshold" and isinstance(name, str) and name in h.store.known_series():
            now = time.time()
            (series,) = h.store.query_series([name], now - PREVIEW_WINDOW_S, now, 300)
        text, ok = check(h.alerts, raw)
        return threshold_figure(series, raw), text, not ok
