"""The page's stylesheets hold no sibling rule whose subject is any element.

A selector like ``legend+*`` (Bootstrap's reboot had it) is tried against every element of the page, so
Chromium marks every container as styled by its children's order; inserting one row at the top of the
feed then restyled all of its rows (712 elements per insertion instead of 14, measured with a trace:
bench/results.md section 6). The feed inserts a row per event, so the rule cost a few per cent of a core
at the demo's rate. A sibling rule (``+`` or ``~``) must name its subject: ``.a + .b``, ``x ~ label``.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def selectors(css: str) -> list[str]:
    """Every selector of every rule (at-rule preludes skipped), comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: list[str] = []
    for prelude in re.findall(r"([^{}]+)\{", css):
        prelude = prelude.strip()
        if prelude.startswith("@") or not prelude:
            continue
        depth, start = 0, 0
        for i, ch in enumerate(prelude):
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                found.append(prelude[start:i].strip())
                start = i + 1
        found.append(prelude[start:].strip())
    return found


def any_element_sibling_rule(selector: str) -> bool:
    """Whether a ``+``/``~`` combinator leads to a subject with no type, class or id."""
    outside = re.sub(r"\([^()]*\)", "()", selector)  # :nth-child(2n+1) is no combinator
    parts = re.split(r"\s*([+~>]|\s)\s*", outside)
    if len(parts) < 3 or parts[-2] not in "+~":
        return False
    subject = parts[-1]
    return not re.match(r"[A-Za-z.#]", subject)


def test_the_check_finds_the_rule_it_is_for() -> None:
    assert any_element_sibling_rule("legend+*")
    assert any_element_sibling_rule("h1 ~ :not(.x)")
    assert not any_element_sibling_rule(".a + .b")
    assert not any_element_sibling_rule(".form-floating>.form-control:focus~label")
    assert not any_element_sibling_rule("li:nth-child(2n+1)")
    assert selectors("/* x */ a+*, b { c: d } @media (x) { .e ~ f { g: h } }") == ["a+*", "b", ".e ~ f"]


def test_no_stylesheet_has_a_sibling_rule_for_any_element() -> None:
    sheets = sorted(ASSETS.glob("*.css"))
    assert any(p.name == "bootstrap.min.css" for p in sheets)
    bad = {p.name: [s for s in selectors(p.read_text(encoding="utf-8")) if any_element_sibling_rule(s)] for p in sheets}
    assert not {k: v for k, v in bad.items() if v}, bad
