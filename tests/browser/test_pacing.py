"""The live client's pacing: a panel's store is written at most once per screen frame (however many frames
arrive), and Dash's undo history (which Dash never trims) stays short however long the page is open."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import console_errors, feed_seqs, open_page, text_of, wait_badge
from tests.server import wait_until

STATE = "return window.movaLive.state"
HISTORY = "return window.store.getState().history.past.length"


def test_pace001_burst_paints_every_row_with_few_panel_runs_and_short_history(dash_br: Any, server: Any) -> None:
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    flushes0 = dash_br.driver.execute_script(STATE + ".flushesByPanel.feed")
    events = [{"type": "user.activity", "data": {"user": f"u{i % 3}", "action": "login"}} for i in range(120)]
    events.append({"type": "notification", "data": {"level": "info", "title": "paced"}})
    seqs: list[int] = []
    for i in range(0, len(events), 11):  # 12 POSTs close together: many frames, some of several events
        body = server.post(events[i : i + 11]).json()
        seqs += range(body["first_seq"], body["last_seq"] + 1)
    newest = seqs[-50:]  # the feed keeps its 50 newest rows
    wait_until(lambda: set(newest) <= set(feed_seqs(dash_br)), 15, 0.05, "the newest 50 events in the feed")
    # the other panels' stores followed too: bell, presence, count
    wait_until(lambda: text_of(dash_br, "notification-count") == "1", 10, 0.05, "the bell to count the notification")
    wait_until(lambda: dash_br.find_elements("#presence [data-user='u2']"), 10, 0.05, "u2 in the presence panel")
    # the count is of the whole history (the page's server count, plus the live events since), not of the rows
    assert text_of(dash_br, "feed-count") == str(len(events))
    flushes = dash_br.driver.execute_script(STATE + ".flushesByPanel.feed") - flushes0
    assert 1 <= flushes <= 12, (
        f"{flushes} writes of the feed's store for 12 deliveries: at most one per delivery, coalesced per frame"
    )
    # Dash appends every prop change made in the page (store writes, set_props) to its undo history and never
    # trims it; the client keeps its tail. 30 notifications one by one: each writes the bell's store, list, count.
    for i in range(30):
        seq = server.post({"type": "notification", "data": {"level": "info", "title": str(i)}}).json()["last_seq"]
        wait_until(lambda seq=seq: seq in feed_seqs(dash_br), 10, 0.02, f"event {seq} in the feed")
    # the client trims on its 1 s clock
    wait_until(lambda: dash_br.driver.execute_script(STATE + ".historyTrimmed") > 0, 5, 0.1, "the history trimmed")
    assert dash_br.driver.execute_script(HISTORY) <= 40
    assert console_errors(dash_br) == []


def test_pace002_frames_close_together_are_all_received_without_backfill(dash_br: Any, server: Any) -> None:
    """The client listens to the component's socket itself: no frame is overwritten before it is read (NOTES.md)."""
    open_page(dash_br, server.url)
    wait_badge(dash_br, "Live")
    lost0 = dash_br.driver.execute_script(STATE + ".lostFrames")
    seqs = [
        server.post({"type": "user.activity", "data": {"user": "burst", "action": str(i)}}).json()["last_seq"]
        for i in range(40)
    ]
    wait_until(lambda: set(seqs) <= set(feed_seqs(dash_br)), 15, 0.05, "all 40 events in the feed")
    shown = feed_seqs(dash_br)
    assert len(shown) == len(set(shown)), "an event shows twice"
    assert dash_br.driver.execute_script(STATE + ".lostFrames") == lost0, "a frame was lost and fetched again by REST"
    assert dash_br.driver.execute_script(STATE + ".socket !== null"), "the client holds the component's socket"
    assert console_errors(dash_br) == []
