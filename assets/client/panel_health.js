/*
 * MOVA Live panel: the system health badge and its popover (callbacks/status.py).
 *
 * Health comes from GET /api/status at boot, the hello and health frames (stream.js sets ctx.health)
 * and system.status events; the badge is written only when what it shows changed. While the server
 * cannot be reached (no live socket and the polls fail: connection.js `unreachable`) the badge says
 * "unknown", never the last report's "healthy"; the last report stays in the popover. When the server
 * answers again the client asks it for its health (the hello, or GET /api/status after a poll).
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
  const Conn = need('./connection.js');

  const ICONS = { healthy: 'circle-check', degraded: 'alert-triangle', down: 'circle-x', unknown: 'help-circle' };
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

  /** What the badge shows while the server cannot be reached: unknown, with the last report for reference. */
  function unknownView(last) {
    const body = [row('State', 'unknown'), comp('Div', { className: 'health-message', children: 'The server cannot be reached: its health is not known.' })];
    if (last && last.state) body.push(row('Last report', F.text(last.state, 40) + (last.time ? ' at ' + F.clockTime(last.time) : '')));
    return {
      state: 'unknown', className: 'pill health-unknown', icon: 'tabler:' + ICONS.unknown,
      title: 'System health unknown: the server cannot be reached', body,
    };
  }

  function show(ctx, v) {
    if (B.setChanged(ctx.ids.health_badge, { children: v.state })) shown.push(v.state);
    if (shown.length > 20) shown.shift();
    B.setChanged(ctx.ids.health_pill, { className: v.className, title: v.title });
    B.setChanged(ctx.ids.health_icon, { icon: v.icon });
    B.setChanged(ctx.ids.health_popover_body, { children: v.body });
  }

  const callbacks = {
    update() {
      const ctx = window.mova.client.ctx;
      if (!ctx.cfg) return B.noUpdate();
      const reports = ctx.healthReports.splice(0);
      ctx.window.take('health').forEach((e) => {
        if (e.type === 'system.status') reports.push(Object.assign({}, e.data, { time: e.time }));
      });
      if (Conn.unreachable(ctx.conn && ctx.conn.info)) {
        reports.forEach((h) => { if (view(h)) ctx.health = h; });
        show(ctx, unknownView(ctx.health));
        return B.noUpdate();
      }
      if (!reports.length && ctx.health) reports.push(ctx.health); // the boot's /api/status
      reports.forEach((h) => {
        const v = view(h);
        if (!v) return;
        ctx.health = h;
        show(ctx, v);
      });
      return B.noUpdate();
    },
  };

  return { name: 'health', wants: (e) => e.type === 'system.status', callbacks, view, unknownView, shown };
});
