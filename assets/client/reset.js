/*
 * MOVA Live client: when the server's store is not the one the page loaded from, reload.
 *
 * A new store epoch (the store was recreated) or a server with fewer events than the page has seen
 * means every seq the page holds names something else: it reloads and boots from REST again rather
 * than wait. A guard in sessionStorage allows at most 3 reloads a minute (then one try every 30 s),
 * so a server that keeps resetting cannot put the page in a reload loop.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).reset = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const KEY = 'mova-reset-reloads'; // sessionStorage: when resets reloaded the page
  const MAX_RELOADS = 3;
  const WINDOW_MS = 60000;

  /** Why the page's position ({epoch, lastSeq}) is gone on the server ({epoch, last_seq}), or null. */
  function reason(page, server) {
    if (!page || !server) return null;
    if (page.epoch && server.epoch && page.epoch !== server.epoch) return 'the store was recreated (new epoch)';
    if (Number.isFinite(server.last_seq) && Number.isFinite(page.lastSeq) && page.lastSeq > server.last_seq) {
      return 'the server has fewer events than the page (seq ' + page.lastSeq + ' > ' + server.last_seq + ')';
    }
    return null;
  }

  /** {ok, history}: whether a reload may happen now, and the recent reload times to keep. */
  function allowed(history, nowMs) {
    const recent = (Array.isArray(history) ? history : []).filter((t) => Number.isFinite(t) && nowMs - t < WINDOW_MS);
    if (recent.length >= MAX_RELOADS) return { ok: false, history: recent };
    return { ok: true, history: recent.concat([nowMs]) };
  }

  /** Reload `win` (guarded); `before()` runs just before (the client closes its connection). */
  function reload(win, why, before) {
    let history = [];
    try {
      history = JSON.parse(win.sessionStorage.getItem(KEY) || '[]');
    } catch (err) {
      history = [];
    }
    console.warn('MOVA: reloading the page state:', why);
    const verdict = allowed(history, Date.now());
    if (!verdict.ok) {
      setTimeout(() => reload(win, why, before), 30000);
      return false;
    }
    try {
      win.sessionStorage.setItem(KEY, JSON.stringify(verdict.history));
    } catch (err) {
      // private mode: no guard, still reload
    }
    before();
    win.location.reload();
    return true;
  }

  return { reason, allowed, reload };
});
