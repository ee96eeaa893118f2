/*
 * MOVA Live panel: the system health badge and its popover (callbacks/status.py).
 *
 * Health comes from GET /api/status at boot, the hello and health frames (client.js sets ctx.health)
 * and system.status events; the badge is written only when what it shows changed.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).health = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const B = need('./bridge.js');

  const ICONS = { healthy: 'circle-check', degraded: 'alert-triangle', down: 'circle-x' };
  const comp = (type, props) => ({ type, namespace: 'dash_html_components', props });
  const row = (label, value) => comp('Div', {
    className: 'detail-row',
    children: [comp('Span', { className: 'detail-label', children: label }), comp('Span', { className: 'detail-value', children: value })],
  });
  const shown = []; // the states the badge showed (a short degraded spell leaves a trace for tests)

  /** {state, className, icon, title, body} for a health report, or null before any. */
  function view(h) {
    if (!h || !h.state) return null;
    const state = F.text(h.state, 40);
    const components = h.components && typeof h.components === 'object' ? Object.keys(h.components) : [];
    const body = [row('State', state)];
    if (h.message) body.push(comp('Div', { className: 'health-message', children: F.text(h.message, 400) }));
    components.slice(0, 20).forEach((name) => body.push(row(F.text(name, 60), F.text(h.components[name], 40))));
    if (h.time) body.push(row('Reported', F.clockTime(h.time)));
    return {
      state, className: 'pill health-' + F.cssToken(state), icon: 'tabler:' + (ICONS[state] || 'heart-rate-monitor'),
      title: 'System ' + state + (h.message ? ': ' + F.text(h.message) : ''), body,
    };
  }

  const callbacks = {
    update() {
      const ctx = window.mova.client.ctx;
      if (!ctx.cfg) return B.noUpdate();
      const reports = ctx.healthReports.splice(0);
      ctx.window.take('health').forEach((e) => {
        if (e.type === 'system.status') reports.push(Object.assign({}, e.data, { time: e.time }));
      });
      if (!reports.length && ctx.health) reports.push(ctx.health); // the boot's /api/status
      reports.forEach((h) => {
        const v = view(h);
        if (!v) return;
        ctx.health = h;
        if (B.setChanged(ctx.ids.health_badge, { children: v.state })) shown.push(v.state);
        if (shown.length > 20) shown.shift();
        B.setChanged(ctx.ids.health_pill, { className: v.className, title: v.title });
        B.setChanged(ctx.ids.health_icon, { icon: v.icon });
        B.setChanged(ctx.ids.health_popover_body, { children: v.body });
      });
      return B.noUpdate();
    },
  };

  return { name: 'health', wants: (e) => e.type === 'system.status', callbacks, view, shown };
});
