/*
 * MOVA Live panel: file transfers (components/panels.py).
 *
 * Running transfers first; a finished one stays for transfer_fade_after_s, then fades, and leaves the
 * list transfer_remove_after_s after it finished (the clock repaints every 2 s for that and the ETAs).
 * DOM rows in a container Dash renders empty, rebuilt only when what they show changed.
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

  /** The transfers to show at `nowMs`, each with `fading`, and the text of its row (pure). */
  function view(list, nowMs, fadeS, removeS, max) {
    const now = nowMs / 1000;
    return list
      .filter((t) => !Live.FINISHED_TRANSFER.has(t.state) || now - F.toMs(t.updated) / 1000 < removeS)
      .slice(0, max)
      .map((t) => {
        const meta = [F.bytes(t.bytes) + ' of ' + F.bytes(t.total)];
        if (Number.isFinite(t.rate_bps) && t.rate_bps > 0) meta.push(F.bytes(t.rate_bps) + '/s' + (t.state === 'completed' ? ' avg' : ''));
        const left = t.state === 'running' && Number.isFinite(t.eta_s) ? Math.max(0, t.eta_s - Math.max(0, now - F.toMs(t.updated) / 1000)) : null;
        if (left !== null) meta.push('ETA ' + F.duration(left));
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
    const list = view(Live.snapshot(ctx.live, now).transfers, now, ctx.cfg.transfer_fade_after_s, ctx.cfg.transfer_remove_after_s, 30);
    const box = D.byId(ctx.ids.transfers);
    if (list.length) D.keyedList(box, list, (t) => t.transfer, (t) => JSON.stringify([t.state, t.progress, t.fading, t.meta, t.name]), row, rows);
    else D.emptyState(box, 'No transfers', 'arrows-exchange');
    const running = list.filter((t) => t.state === 'running').length;
    D.text(ctx.ids.transfers_count, list.length ? running + ' active' : '');
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
