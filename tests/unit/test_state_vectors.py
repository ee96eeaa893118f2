"""hub/live/state.py LiveState against the shared vectors (tests/vectors/live_state.json).

The page folds events with assets/client/live_state.js; tests/js/live_state.test.js runs the same
vectors there. A rule changed on one side only fails one of the two suites (DESIGN.md §5: state the
server can fold is folded in one place; these vectors are that place's contract).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from hub.live.staleness import mark_stalled
from hub.live.state import Bounds, LiveState

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "live_state.json").read_text())["cases"]


def rounded(value: Any) -> Any:
    """Floats to 9 significant digits: the two languages may differ in the last bits of a rate."""
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_live_state_vector(case: dict[str, Any]) -> None:
    state = LiveState(Bounds(**case["bounds"]))
    state.apply(case["events"])
    snapshot = state.snapshot(case["now"])
    if "stalled_after_s" in case:  # as GET /api/status serves it
        snapshot = mark_stalled(snapshot, case["now"], case["stalled_after_s"])
    assert rounded(snapshot) == rounded(case["snapshot"])


def test_vectors_cover_every_folded_type() -> None:
    types = {e["type"] for c in VECTORS for e in c["events"]}
    assert types >= {t for t in LiveState._HANDLERS}, "a folded type without a vector"
