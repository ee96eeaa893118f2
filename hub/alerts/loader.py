"""The rules file: alert rules and contact points provisioned at start-up, in YAML.

YAML because the tools our users already run provision alerts in YAML (Grafana's
provisioning files, Prometheus rule files, Alertmanager's config): the same
shape of file reads familiar, and YAML takes comments, which a rules file needs.
PyYAML's ``safe_load`` only (no Python objects from a file). Rules from the file
are marked ``origin: file``: the API shows them but refuses to change them
(Grafana's provisioned rules), so the file stays the one truth for them.

    contact_points:
      - {name: ops, type: webhook, url: https://hooks.example.com/mova}
      - {name: team-chat, type: slack, url: https://hooks.slack.com/services/...}
      - {name: oncall, type: email, to: [oncall@example.com]}
    rules:
      - {id: cpu-high, name: CPU high, kind: threshold, series: cpu.percent,
         warning: 80, critical: 95, recovery: 70, for: 1m, notify: [ops]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hub.alerts.delivery import ContactPoint
from hub.alerts.rules import RULE_ID, Rule, parse_rule
from hub.errors import InvalidInput

MAX_FILE_BYTES = 4 * 2**20
# the alert rules --demo loads when no --rules-file is given (hub/alerts/service.py): they fire and resolve on their own
DEMO_RULES = Path(__file__).parent / "demo_rules.yaml"
CONTACT_KINDS = ("webhook", "slack", "email")


class RulesFileError(ValueError):
    """The rules file cannot be used; the message names the file, the entry and the field."""


def parse_contact_point(raw: Any) -> ContactPoint:
    if not isinstance(raw, dict):
        raise InvalidInput("a contact point must be a mapping with name, type and url or to")
    name, kind = raw.get("name"), raw.get("type")
    if not isinstance(name, str) or not RULE_ID.match(name):
        raise InvalidInput("name must be 1-64 characters of a-z, 0-9, '.', '_' or '-'", field="name")
    if kind not in CONTACT_KINDS:
        raise InvalidInput(f"type must be one of {', '.join(CONTACT_KINDS)}, got {kind!r}", field="type")
    if kind == "email":
        to = raw.get("to")
        to = [to] if isinstance(to, str) else to
        if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a for a in to):
            raise InvalidInput("to must be an e-mail address or a list of them", field="to")
        return ContactPoint(name, kind, to=tuple(to))
    url = raw.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidInput("url must be an http:// or https:// URL", field="url")
    return ContactPoint(name, kind, url=url)


def load_rules_file(path: Path) -> tuple[list[Rule], list[ContactPoint]]:
    """Rules and contact points from the file; RulesFileError says where it is wrong."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise RulesFileError(f"rules file {path} is over {MAX_FILE_BYTES} bytes")
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"cannot read rules file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise RulesFileError(f"rules file {path} is not valid YAML: {exc}") from None
    document = document or {}
    if not isinstance(document, dict) or set(document) - {"rules", "contact_points"}:
        raise RulesFileError(f"rules file {path} must be a mapping with the keys 'rules' and 'contact_points'")
    points: list[ContactPoint] = []
    for i, raw in enumerate(document.get("contact_points") or []):
        try:
            points.append(parse_contact_point(raw))
        except InvalidInput as exc:
            raise RulesFileError(f"rules file {path}: contact_points[{i}]: {exc.message}") from None
    rules: list[Rule] = []
    seen: set[str] = set()
    names = {p.name for p in points}
    for i, raw in enumerate(document.get("rules") or []):
        label = f"rules[{i}]" + (f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else "")
        try:
            rule = parse_rule(raw, origin="file")
        except InvalidInput as exc:
            raise RulesFileError(f"rules file {path}: {label}: {exc.message}") from None
        if rule.id in seen:
            raise RulesFileError(f"rules file {path}: {label}: id {rule.id!r} is used twice")
        seen.add(rule.id)
        rules.append(rule)
    for rule in rules:
        unknown = [n for n in rule.notify or () if n not in names and n not in BUILT_IN_POINTS]
        if unknown:
            raise RulesFileError(
                f"rules file {path}: rule {rule.id}: notify names unknown contact points {unknown}: define them "
                "under contact_points (or use webhook, slack, email for the --alert-* settings)"
            )
    return rules, points


BUILT_IN_POINTS = ("webhook", "slack", "email")  # the contact points the --alert-* settings define
