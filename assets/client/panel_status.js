/*
 * MOVA Live panel: the connection badge and its details popover (callbacks/status.py).
 *
 * Its store is written when the connection changes state (connection.js onChange), after a poll, and
 * every second while it is not live (the "next try in 3 s" countdown) or while its popover is open
 * (the "last message 2 s ago" line); a live page with the popover closed writes nothing.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).status = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const B = need('./bridge.js');
  const Conn = need('./connection.js');

  const comp = (type, props) => ({ type, namespace: 'dash_html_components', props });
  const row = (label, value) => comp('Div', {
    className: 'detail-row',
    children: [comp('Span', { className: 'detail-label', children: label }), comp('Span', { className: 'detail-value', children: value })],
  });

  /** The popover's rows for a snapshot of the client (movaLive.snapshot()). */
  function details(c, view, pollMs, now) {
    const last = Math.max(c.lastMessageAt || 0, c.lastEventAt || 0);
    const transport = c.socketLive ? 'WebSocket' : c.polling ? 'REST polling every ' + pollMs / 1000 + ' s' : '—';
    return [
      row('State', view.label + (view.detail ? ' (' + view.detail + ')' : '')),
      row('Transport', transport),
      row('Last message', last ? F.clockTime(last) + ' (' + F.relativeTime(last, now) + ')' : '—'),
      row('Delivery delay', Number.isFinite(c.delayMs) ? Math.round(c.delayMs) + ' ms' : '—'),
      row('Reconnect attempts', String(c.attempt || 0) + (c.connects > 1 ? ' (' + (c.connects - 1) + ' reconnects so far)' : '')),
      row('Lost frames backfilled', String(c.lostFrames || 0)),
      row('Server last seq', c.serverLastSeq === null || c.serverLastSeq === undefined ? '—' : String(c.serverLastSeq)),
      row('Page last seq', String(c.lastSeq || 0)),
    ];
  }

  const callbacks = {
    update() {
      const client = window.mova.client;
      const ctx = client.ctx;
      if (!ctx.cfg) return B.noUpdate();
      const c = client.snapshot();
      const now = Date.now();
      const view = Conn.badgeView(ctx.conn ? ctx.conn.info : null, ctx.cfg.max_reconnect_tries, now);
      const spinning = view.state === 'connecting' || view.state === 'reconnecting';
      B.setChanged(ctx.ids.status_badge, { children: view.label });
      B.setChanged(ctx.ids.status_detail, { children: view.detail });
      B.setChanged(ctx.ids.status_pill, { className: 'pill state-' + view.state });
      B.setChanged(ctx.ids.status_icon, { icon: 'tabler:' + view.icon, className: spinning ? 'spin' : '' });
      B.setChanged(ctx.ids.status_popover_body, { children: details(c, view, ctx.cfg.poll_interval_ms, now) });
      return B.noUpdate();
    },
  };

  return {
    name: 'status',
    wants: () => false,
    tick(ctx) {
      const open = typeof document !== 'undefined' && document.getElementById(ctx.ids.status_popover_body);
      if (!ctx.conn || ctx.conn.state !== 'connected' || open) ctx.markDirty('status');
    },
    callbacks,
    details,
  };
});
