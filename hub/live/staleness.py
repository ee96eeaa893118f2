"""Stale as stale: a running job or transfer that has gone quiet is shown as ``stalled``, not active.

The live state (hub/live/state.py) folds what events say; it cannot know that a trainer
died without a word. So where the state is served (GET /api/status), every job and
transfer still ``running`` whose last report is older than ``stalled_after_s``
(``--stalled-after-s``, 300 s by default) is answered with ``state: "stalled"``,
``stalled: true`` and the ``last_state`` it reported; a page counts it as not
active. The state itself is untouched: the next report makes it running again.
``mark_stalled`` is the one place for this rule; the page's own folding can call it
with the same age.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.events.times import parse_time

STALLED_AFTER_S = 300.0
WATCHED = ("jobs", "transfers")  # the snapshot's lists whose entries report progress while running


def is_stalled(entry: Mapping[str, Any], now: float, after_s: float) -> bool:
    """Whether a job or transfer says running but has not reported for more than ``after_s`` seconds."""
    if entry.get("state") != "running":
        return False
    updated = entry.get("updated")
    try:
        last = parse_time(updated).timestamp() if isinstance(updated, str) else None
    except (ValueError, OverflowError):
        last = None
    return last is not None and now - last > after_s


def mark_stalled(snapshot: Mapping[str, Any], now: float, after_s: float = STALLED_AFTER_S) -> dict[str, Any]:
    """A copy of a LiveState snapshot with quiet running jobs and transfers as ``stalled`` (listed after
    the running ones, as finished ones are)."""
    out = dict(snapshot)
    for key in WATCHED:
        entries = []
        for entry in snapshot.get(key, []):
            if is_stalled(entry, now, after_s):
                entry = {**entry, "state": "stalled", "stalled": True, "last_state": entry["state"], "eta_s": None}
            entries.append(entry)
        # running first, as the state sorts them; a stalled one drops out of that group
        out[key] = sorted(entries, key=lambda e: e.get("state") != "running")
    return out
