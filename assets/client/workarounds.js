/*
 * MOVA Live client: the two workarounds for limits of the libraries, and nothing else.
 *
 * Checked with the versions in VERIFIED_WITH; tests/unit/test_client_workarounds.py fails when the
 * installed dash or dash-extensions differ, so that whoever upgrades re-checks both:
 *
 * 1. Frames the dash-extensions WebSocket drops. The component hands each frame to Dash as its
 *    `message` prop; frames arriving close together overwrite each other before a callback of that
 *    prop runs (upstream emilhe/dash-extensions #214, NOTES.md), and each lost frame costs a REST
 *    backfill. So the client reads frames from the component's own socket: `listen` subclasses
 *    window.WebSocket before Dash renders anything, adding one 'message' listener to sockets opened
 *    on /ws. The component still owns the socket (url, send, state, close); frames of a socket it has
 *    replaced are ignored. Re-check: does the component still drop frames (bench/dash_ws.py)?
 * 2. Dash's undo history. dash-renderer appends every prop change made in the page (store writes,
 *    set_props) to `history.past` and never trims it; a page left open on a busy stream would hold
 *    every change it ever made. `trimHistory` cuts it to its tail. Re-check: does Dash still keep it?
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).workarounds = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const VERIFIED_WITH = { dash: '4.4.1', 'dash-extensions': '2.0.6' };
  const HISTORY_KEEP = 20; // the page has no undo: a short tail is enough for Dash
  const state = { socket: null, handler: null, trimmed: 0 };

  /** Whether `url` is the page's stream (/ws), relative to `base`. */
  function isStream(url, base) {
    try {
      return new URL(String(url), base).pathname === '/ws';
    } catch (err) {
      return false;
    }
  }

  /**
   * Read every frame of the sockets opened on /ws: `handler(data)` for the newest socket only.
   * Installs once; `win` is the window (node tests pass a fake one).
   */
  function listen(win, handler) {
    state.handler = handler;
    const Native = win.WebSocket;
    if (typeof Native !== 'function' || Native.movaListened) return;
    class ListenedWebSocket extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        if (!isStream(url, win.location.href)) return;
        state.socket = this;
        this.addEventListener('message', (event) => {
          if (state.socket === this && state.handler) state.handler(event.data);
        });
      }
    }
    ListenedWebSocket.movaListened = true;
    win.WebSocket = ListenedWebSocket;
  }

  /** Cut an undo history ({past: [...]}) to its last `keep` entries, in place; returns how many went. */
  function trimPast(history, keep) {
    const past = history && history.past;
    if (!Array.isArray(past)) return 0;
    const cut = past.length - Math.max(0, keep);
    if (cut <= 0) return 0;
    past.splice(0, cut);
    return cut;
  }

  /** Trim dash-renderer's history (its redux store is window.store in Dash 4.4.1). */
  function trimHistory(win) {
    const store = win && win.store;
    if (!store || typeof store.getState !== 'function') return 0;
    const cut = trimPast(store.getState().history, HISTORY_KEEP);
    state.trimmed += cut;
    return cut;
  }

  return { VERIFIED_WITH, HISTORY_KEEP, state, listen, isStream, trimPast, trimHistory };
});
