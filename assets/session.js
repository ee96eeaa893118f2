/*
 * MOVA Live: the page's side of sign-in (hub/access). Three small jobs, no hook in the live client:
 *
 * 1. The server closes /ws with code 4401 ("session ended") when the sign-in expires, is signed out
 *    (here or "everywhere") or its user is disabled. A 401 from this site's API (a poll while the
 *    socket is down, a server callback) means the same. Either way the page goes to
 *    /login?next=<this page>; after signing in it comes back here, the client loads from the store
 *    and resumes by seq, and the notification marks (localStorage) are as they were.
 *    WebSocket is subclassed and fetch wrapped before Dash renders, the way mova_live.js listens
 *    to the socket: whatever the client becomes, its socket and its requests pass through here.
 * 2. An operator's or admin's "Mark all read" / "Clear all" in the bell is also sent to the server
 *    (POST /api/notifications/ack), which keeps it for everyone as a notification.ack event.
 * 3. The shared marks (GET /api/notifications/state) are merged into this page's own marks at load
 *    and every 30 s, so a notification cleared by an operator is cleared on every page.
 */
(function () {
  'use strict';
  const CLOSE_SESSION_ENDED = 4401;
  const MARKS_EVERY_MS = 30000;
  const nativeFetch = window.fetch.bind(window);
  let leaving = false;
  let me = null;

  function toLogin() {
    if (leaving) return;
    leaving = true;
    const here = window.location.pathname + window.location.search + window.location.hash;
    window.location.assign('/login?next=' + encodeURIComponent(here));
  }

  function ours(url) {
    try {
      const u = new URL(String(url), window.location.href);
      return u.origin === window.location.origin && u.pathname !== '/login';
    } catch (err) {
      return false;
    }
  }

  const NativeSocket = window.WebSocket;
  if (typeof NativeSocket === 'function' && !NativeSocket.movaSession) {
    class SessionWebSocket extends NativeSocket {
      constructor(url, protocols) {
        super(url, protocols);
        this.addEventListener('close', (event) => {
          if (event.code === CLOSE_SESSION_ENDED) toLogin();
        });
      }
    }
    SessionWebSocket.movaSession = true;
    window.WebSocket = SessionWebSocket;
  }

  window.fetch = function (input, init) {
    return nativeFetch(input, init).then((response) => {
      if (response.status === 401 && ours(response.url)) toLogin();
      return response;
    });
  };

  function whoAmI() {
    if (me) return Promise.resolve(me);
    return nativeFetch('/api/session', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((found) => (me = found));
  }

  function applyMarks(marks) {
    if (!marks || !window.dash_clientside || !window.dash_clientside.set_props) return;
    let local = {};
    try {
      local = JSON.parse(window.localStorage.getItem('notification-state') || '{}') || {};
    } catch (err) {
      local = {};
    }
    const read = Math.max(local.read_upto || 0, marks.read_upto || 0);
    const cleared = Math.max(local.cleared_upto || 0, marks.cleared_upto || 0);
    if (read === (local.read_upto || 0) && cleared === (local.cleared_upto || 0)) return;
    const merged = Object.assign({ read: [], removed: [] }, local, { read_upto: Math.max(read, cleared), cleared_upto: cleared });
    window.dash_clientside.set_props('notification-state', { data: merged });
  }

  function refreshMarks() {
    if (document.hidden) return;
    nativeFetch('/api/notifications/state', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then(applyMarks)
      .catch(() => {});
  }

  document.addEventListener(
    'click',
    (event) => {
      const button = event.target.closest && event.target.closest('#notification-mark-read, #notification-clear');
      if (!button) return;
      const action = button.id === 'notification-clear' ? 'clear' : 'read';
      const seqs = Array.from(document.querySelectorAll('#notification-list [data-seq]')).map((e) => +e.dataset.seq);
      if (!seqs.length) return;
      whoAmI().then((who) => {
        if (!who || who.permissions.indexOf('ack') < 0) return; // a viewer's marks stay on this page
        const headers = { 'Content-Type': 'application/json' };
        if (who.csrf) headers['X-CSRF-Token'] = who.csrf;
        return nativeFetch('/api/notifications/ack', {
          method: 'POST',
          credentials: 'same-origin',
          headers,
          body: JSON.stringify({ action, through_seq: Math.max.apply(null, seqs) }),
        });
      });
    },
    true
  );

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => window.setTimeout(refreshMarks, 1500));
  else window.setTimeout(refreshMarks, 1500);
  window.setInterval(refreshMarks, MARKS_EVERY_MS);

  window.movaSession = { CLOSE_SESSION_ENDED, toLogin, whoAmI, refreshMarks };
})();
