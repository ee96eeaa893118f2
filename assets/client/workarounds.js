/*
 * MOVA Live client: the workarounds for limits of the libraries, and nothing else.
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
 *    The component's own per-frame `message` prop is not set for the stream's sockets: nothing reads
 *    it (the client has every frame from the listener), yet each one cost dash-renderer a prop
 *    update, a React render and an undo-history entry, ~1.5 % of a core at the demo's rate
 *    (bench/results.md section 6). Its open, close and error handlers, and its `send`, are untouched.
 * 2. Dash's undo history. dash-renderer appends every prop change made in the page (store writes,
 *    set_props) to `history.past` and never trims it; a page left open on a busy stream would hold
 *    every change it ever made. `trimHistory` cuts it to its tail. Re-check: does Dash still keep it?
 * 3. ARIA of Dash 4's option lists and dropdown. dcc.Checklist and dcc.RadioItems render a
 *    role="listbox" whose role="option" labels each wrap a focusable <input>: interactive controls
 *    nested in interactive controls, and a listbox with no name (axe nested-interactive,
 *    aria-input-field-name, serious); dcc.Dropdown's tab stop is an <input aria-hidden="true"> that
 *    forwards focus to its button (axe aria-hidden-focus, serious). `fixAria` makes the lists what
 *    they are, a group of checkboxes or radio buttons named by their labels, and names the dropdown's
 *    tab stop after its button; `watchAria` applies it to whatever Dash renders or re-renders.
 *    Re-check: does axe still flag the page without it (tests/browser/test_a11y.py)?
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).workarounds = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const VERIFIED_WITH = { dash: '4.4.1', 'dash-extensions': '2.0.6' };
  const HISTORY_KEEP = 20; // the page has no undo: a short tail is enough for Dash
  const state = { socket: null, handler: null, trimmed: 0, ariaWatched: false, ariaFixed: 0 };

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
        // the component's `onmessage = ...` (a `message` prop per frame) is kept off this socket
        Object.defineProperty(this, 'onmessage', { configurable: true, get: () => null, set: () => {} });
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

  const LISTS = '.dash-checklist[role="listbox"], .dash-radioitems[role="listbox"]';
  const OPTIONS = '.dash-checklist .dash-options-list-option, .dash-radioitems .dash-options-list-option';
  const FOCUS_TARGET = '.dash-dropdown-focus-target[aria-hidden]';

  /** Fix the ARIA of the Dash option lists and dropdowns in `node` (an element or the document); returns the fixes. */
  function fixAria(node) {
    let fixed = 0;
    if (!node || typeof node.querySelectorAll !== 'function') return 0;
    node.querySelectorAll(LISTS).forEach((list) => {
      list.setAttribute('role', list.classList.contains('dash-radioitems') ? 'radiogroup' : 'group');
      fixed += 1;
    });
    node.querySelectorAll(OPTIONS).forEach((option) => {
      if (!option.hasAttribute('role') && !option.hasAttribute('aria-selected')) return;
      option.removeAttribute('role');
      option.removeAttribute('aria-selected'); // the input's checked state says it
      fixed += 1;
    });
    node.querySelectorAll(FOCUS_TARGET).forEach((input) => {
      const button = input.nextElementSibling;
      const name = button && (button.getAttribute('aria-label') || button.getAttribute('title') || button.textContent.trim());
      input.removeAttribute('aria-hidden');
      input.setAttribute('aria-label', name ? 'Choose: ' + name : 'Choose');
      fixed += 1;
    });
    return fixed;
  }

  /** Keep `fixAria` applied to the document as Dash renders (once; a MutationObserver batches the changes). */
  function watchAria(win) {
    const doc = win && win.document;
    if (!doc || typeof win.MutationObserver !== 'function' || state.ariaWatched) return;
    state.ariaWatched = true;
    let queued = false;
    const run = () => {
      queued = false;
      state.ariaFixed += fixAria(doc);
    };
    const any = LISTS + ', ' + OPTIONS + ', ' + FOCUS_TARGET;
    const concerns = (r) => r.type === 'attributes'
      || Array.prototype.some.call(r.addedNodes, (n) => n.nodeType === 1 && (n.matches(any) || n.querySelector(any) !== null));
    new win.MutationObserver((records) => {
      // a feed row or a chart update concerns none of them: no pass over the document for those
      if (queued || !records.some(concerns)) return;
      queued = true;
      win.requestAnimationFrame(run);
    }).observe(doc.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['role', 'aria-selected', 'aria-hidden'] });
    run();
  }

  return { VERIFIED_WITH, HISTORY_KEEP, state, listen, isStream, trimPast, trimHistory, fixAria, watchAria };
});
