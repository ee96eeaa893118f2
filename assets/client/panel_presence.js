/*
 * MOVA Live panel: who is online (components/panels.py).
 *
 * Online first, then away, then offline, each by name; "away · 5m ago" refreshes every 10 s. Rows are
 * keyed by user and updated in place; the order holds while the pointer is over the list.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).presence = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const D = need('./dom.js');
  const Live = need('./live_state.js');

  const rows = new Map();

  function when(u, now) {
    const state = F.text(u.state || 'unknown', 30);
    return state === 'online' ? 'online' : state + ' · ' + F.relativeTime(u.last_seen, now);
  }

  function row(u, now) {
    const state = F.text(u.state || 'unknown', 30);
    return D.h('div', { className: 'mini-row presence-row s-' + F.cssToken(state), dataset: { user: F.text(u.user, 200), state } }, [
      D.h('span', { className: 'presence-dot' }),
      D.h('div', { className: 'presence-main' }, [
        D.h('span', { className: 'row-name', text: F.text(u.user, 60) }),
        u.last_action ? D.h('span', { className: 'row-sub', text: F.text(u.last_action, 80) }) : null,
      ]),
      D.h('span', { className: 'row-time', title: u.last_seen, text: when(u, now) }),
    ]);
  }

  function paint(ctx) {
    const now = ctx.serverNow();
    const box = D.byId(ctx.ids.presence);
    const users = D.heldOrder(box, Live.snapshot(ctx.live, now).presence.slice(0, 100), (u) => u.user, rows);
    if (users.length) D.keyedList(box, users, (u) => u.user, (u) => JSON.stringify([u.state, u.last_action, when(u, now)]), (u) => row(u, now), rows, true);
    else D.emptyState(box, 'Nobody seen yet', 'user');
    const online = users.filter((u) => u.state === 'online').length;
    D.text(ctx.ids.presence_count, users.length ? online + ' online' : '');
  }


  return {
    name: 'presence',
    minIntervalMs: 500,
    paint(ctx) {
      ctx.syncLive();
      paint(ctx);
    },
    wants: (e) => e.type === 'user.presence' || e.type === 'user.activity',
    tick(ctx, seconds) { if (seconds % 10 === 3 && ctx.live.presence.size) paint(ctx); },
    when,
  };
});
