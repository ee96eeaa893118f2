/*
 * MOVA Live panel: plugins, their state and version (components/panels.py).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).plugins = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const D = need('./dom.js');
  const Live = need('./live_state.js');

  const rows = new Map();

  function row(p, now) {
    const state = F.text(p.state || 'unknown', 30);
    return D.h('div', {
      className: 'mini-row plugin-row s-' + F.cssToken(state),
      dataset: { plugin: F.text(p.plugin, 200), state, version: F.text(p.version || '', 80) },
    }, [
      D.h('div', { className: 'presence-main' }, [
        D.h('span', { className: 'row-name', text: F.text(p.plugin, 60) }),
        p.message ? D.h('span', { className: 'row-sub', title: F.text(p.message, 400), text: F.text(p.message, 80) }) : null,
      ]),
      p.version ? D.h('span', { className: 'version', text: F.text(p.version, 40) }) : null,
      D.h('span', { className: 'state-badge s-' + F.cssToken(state), text: state }),
      D.h('span', { className: 'row-time', title: p.updated, text: F.relativeTime(p.updated, now) }),
    ]);
  }

  function paint(ctx) {
    const now = ctx.serverNow();
    const plugins = Live.snapshot(ctx.live, now).plugins.slice(0, 100);
    const box = D.byId(ctx.ids.plugins);
    if (plugins.length) {
      D.keyedList(box, plugins, (p) => p.plugin, (p) => JSON.stringify([p.state, p.version, p.message, F.relativeTime(p.updated, now)]), (p) => row(p, now), rows);
    } else D.emptyState(box, 'No plugins reported', 'puzzle');
    const active = plugins.filter((p) => p.state === 'active').length;
    D.text(ctx.ids.plugins_count, plugins.length ? active + '/' + plugins.length + ' active' : '');
  }


  return {
    name: 'plugins',
    minIntervalMs: 500,
    paint(ctx) {
      ctx.syncLive();
      paint(ctx);
    },
    wants: (e) => e.type === 'plugin.status' || e.type === 'plugin.update',
    tick(ctx, seconds) { if (seconds % 10 === 7 && ctx.live.plugins.size) paint(ctx); },
  };
});
