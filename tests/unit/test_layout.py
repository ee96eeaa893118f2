"""hub/ by role (ARCHITECTURE.md): each sub-package imports only what its row allows, and no module outgrows ~400 lines.

Read from the source with ast, every import counted (module level, inside functions,
under TYPE_CHECKING): a part that reaches for another it may not (the API for the
whole Hub, the event model for storage, the demo for the server) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"

# what each part of hub/ may import besides itself (ARCHITECTURE.md, "hub/ by role")
MAY_IMPORT: dict[str, set[str]] = {
    "hub": set(),
    "hub.errors": set(),
    "hub.events": {"hub.errors"},
    "hub.storage": {"hub.errors", "hub.events", "hub.settings"},
    "hub.export": {"hub.errors", "hub.events", "hub.storage"},
    "hub.live": {"hub.errors", "hub.events", "hub.settings", "hub.storage"},
    "hub.server": {"hub.errors", "hub.settings"},
    "hub.api": {
        "hub.errors",
        "hub.events",
        "hub.storage",
        "hub.export",
        "hub.live",
        "hub.server",
        "hub.settings",
        "hub.access",  # the gate and the socket watch the routes are given (types), the access paths' document
        "hub.alerts",  # its paths in the OpenAPI document
        "hub.integrations",  # their paths in the OpenAPI document
    },
    "hub.integrations": {"hub.errors", "hub.events", "hub.live", "hub.api", "hub.hub"},
    "hub.access": {"hub.errors", "hub.settings", "hub.api", "hub.live", "hub.hub"},
    "hub.alerts": {"hub.errors", "hub.events", "hub.storage", "hub.live", "hub.settings"},
    "hub.demo": {"hub.publish"},  # a client of the hub: it talks HTTP through the publishing client
    "hub.publish": set(),
    "hub.settings": {"hub.settings_table", "hub.alerts"},
    "hub.settings_table": set(),
    "hub.collector": {"hub.settings", "hub.hub"},
    "hub.hub": {
        "hub.access",
        "hub.alerts",
        "hub.api",
        "hub.collector",
        "hub.demo",
        "hub.events",
        "hub.integrations",
        "hub.live",
        "hub.server",
        "hub.settings",
        "hub.storage",
    },
}
NEVER = ("dash", "components", "callbacks")  # hub/ is the server: no page code
MAX_LINES = 400


def part_of(module: str) -> str:
    bits = module.split(".")
    return ".".join(bits[:2])


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"hub.{a.name}" for a in node.names} if node.module == "hub" else {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_layout001_each_part_imports_only_what_it_may() -> None:
    wrong = []
    for path in sorted(HUB.rglob("*.py")):
        me = part_of(module_name(path))
        assert me in MAY_IMPORT, (
            f"{me} ({path.relative_to(ROOT)}) has no row in MAY_IMPORT: add it and say what it may use"
        )
        for target in imports(path):
            if target.split(".")[0] in NEVER:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}: hub/ never imports page code")
            elif target.startswith("hub") and part_of(target) != me and part_of(target) not in MAY_IMPORT[me]:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}: {me} may import {sorted(MAY_IMPORT[me])}")
    assert not wrong, "\n".join(wrong)


def test_layout002_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n for p in HUB.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these along a seam of one concern: {long}"


def test_layout003_components_never_reach_the_hub() -> None:
    # components/ are pure layout builders; what they need of the hub's settings reaches them as arguments
    reaching = [
        f"{p.relative_to(ROOT)} imports {t}"
        for p in sorted((ROOT / "components").rglob("*.py"))
        for t in imports(p)
        if t.split(".")[0] == "hub"
    ]
    assert not reaching, "\n".join(reaching)


def test_layout004_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    # the rule above would pass vacuously if imports() missed imports inside functions or under TYPE_CHECKING
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from hub.hub import Hub\n"
        "def f():\n    from hub import guard\n    import dash\n"
    )
    assert {"hub.hub", "hub.guard", "dash"} <= imports(source)
