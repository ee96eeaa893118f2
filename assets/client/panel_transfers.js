/*
 * MOVA Live panel: file transfers (components/panels.py).
 *
 * Running transfers first, then stalled ones (running but quiet past the server's --stalled-after-s:
 * not counted as active), then finished ones, each group newest first by start (never by last report,
 * so rows do not trade places as reports arrive); the order holds while the pointer is over the list.
 * A finished one stays for transfer_fade_after_s, then fades, and leaves the list
 * transfer_remove_after_s after it finished (the clock repaints every 2 s for that and the ETAs).
 * DOM rows in a container Dash renders empty, keyed by transfer and updated in place.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).transfers = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const D = need('./dom.js');
  const Live = need('./live_state.js');

  const rows = new Map();
  const RANK = { running: 0, stalled: 1 }; // then the finished states

  /** The transfers to show at `nowMs`, each with `fading`, and the text of its row (pure). */
  function view(list, nowMs, fadeS, removeS, max) {
    const now = nowMs / 1000;
    const rank = (t) => (t.state in RANK ? RANK[t.state] : 2);
    const started = (t) => F.toMs(t.started) || 0;
    return list
      .filter((t) => !Live.FINISHED_TRANSFER.has(t.state) || now - F.toMs(t.updated) / 1000 < removeS)
      .sort((a, b) => rank(a) - rank(b) || started(b) - started(a) || (a.transfer < b.transfer ? -1 : a.transfer > b.transfer ? 1 : 0))
      .slice(0, max)
      .map((t) => {
        const meta = [F.bytes(t.bytes) + ' of ' + F.bytes(t.total)];
        if (Number.isFinite(t.rate_bps) && t.rate_bps > 0) meta.push(F.bytes(t.rate_bps) + '/s' + (t.state === 'completed' ? ' avg' : ''));
        const left = t.state === 'running' && Number.isFinite(t.eta_s) ? Math.max(0, t.eta_s - Math.max(0, now - F.toMs(t.updated) / 1000)) : null;
        if (left !== null) meta.push('ETA ' + F.duration(left));
        if (t.state === 'stalled') meta.push('no report for ' + F.duration(Math.max(0, now - F.toMs(t.updated) / 1000)));
        if (t.state !== 'running' && t.finished) meta.push(F.relativeTime(t.finished, nowMs));
        const fading = Live.FINISHED_TRANSFER.has(t.state) && now - F.toMs(t.updated) / 1000 >= fadeS;
        return Object.assign({}, t, { fading, meta });
      });
  }

  function row(t) {
    const state = F.text(t.state, 30);
    const up = t.direction === 'upload';
    return D.h('div', {
      className: 'transfer-row s-' + F.cssToken(state) + (t.fading ? ' is-fading' : ''),
      dataset: { transfer: F.text(t.transfer, 200), state, direction: up ? 'upload' : 'download', progress: Number.isFinite(t.progress) ? String(t.progress) : '' },
    }, [
      D.h('div', { className: 'row-head' }, [
        D.h('span', { className: 'dir-icon', title: up ? 'Upload' : 'Download', text: up ? '↑' : '↓' }),
        D.h('span', { className: 'row-name', title: F.text(t.name, 400), text: F.text(t.name || t.transfer, 80) }),
        D.h('span', { className: 'row-pct', text: Number.isFinite(t.progress) ? Math.round(t.progress * 100) + '%' : '' }),
        D.h('span', { className: 'state-badge s-' + F.cssToken(state), text: state }),
      ]),
      D.progressBar(t.progress, state, F.cssToken, 'Progress of ' + F.text(t.name || t.transfer, 80)),
      D.h('div', { className: 'row-meta' }, t.meta.map((m) => D.h('span', { text: m }))),
    ]);
  }

  function paint(ctx) {
    const now = ctx.serverNow();
    const box = D.byId(ctx.ids.transfers);
    const shown = view(Live.snapshot(ctx.live, now, ctx.cfg.stalled_after_s).transfers, now, ctx.cfg.transfer_fade_after_s, ctx.cfg.transfer_remove_after_s, 30);
    const list = D.heldOrder(box, shown, (t) => t.transfer, rows);
    if (list.length) D.keyedList(box, list, (t) => t.transfer, (t) => JSON.stringify([t.state, t.progress, t.fading, t.meta, t.name]), row, rows, true);
    else D.emptyState(box, 'No transfers', 'arrows-exchange');
    const running = list.filter((t) => t.state === 'running').length;
    const stalled = list.filter((t) => t.state === 'stalled').length;
    D.text(ctx.ids.transfers_count, list.length ? running + ' active' + (stalled ? ' · ' + stalled + ' stalled' : '') : '');
  }


  return {
    name: 'transfers',
    minIntervalMs: 500,
    paint(ctx) {
      ctx.syncLive();
      paint(ctx);
    },
    wants: (e) => e.type === 'file.upload.progress' || e.type === 'file.download.progress',
    tick(ctx, seconds) { if (seconds % 2 === 1 && ctx.live.transfers.size) paint(ctx); },
    view,
  };
});
