/*
 * MOVA Live panel: ingest rate per source (components/ingest.py). The recipe's example panel:
 * ARCHITECTURE.md, "Adding a panel".
 *
 * Counts the events each source sent over the last 10 s or minute of the page's clock (the user's
 * choice, callbacks/ingest.py; every event but the collector's per-second metric samples counts),
 * one row per source with its rate and a bar relative to the busiest. Its store is written at most once a second; the clock
 * repaints every second so that a source that stops decays to zero and leaves.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).ingest = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const D = need('./dom.js');
  const B = need('./bridge.js');

  const KEEP_S = 60; // the longest window offered (components/ingest.py)
  const S = { windowS: 10, buckets: new Map(), rows: new Map() }; // buckets: source -> Map(second -> count)

  /** Count `events` at second `nowS` into `buckets` (source -> Map(second -> n)). */
  function count(buckets, events, nowS) {
    events.forEach((e) => {
      const source = typeof e.source === 'string' && e.source ? e.source : 'unknown';
      const b = buckets.get(source) || buckets.set(source, new Map()).get(source);
      b.set(nowS, (b.get(nowS) || 0) + 1);
    });
  }

  /** Rows {source, rate, share} (events/s over `windowS` ending at `nowS`), busiest first; drops seconds past `keepS`. */
  function rates(buckets, nowS, windowS, keepS) {
    const out = [];
    buckets.forEach((b, source) => {
      let n = 0;
      b.forEach((k, s) => {
        if (s <= nowS - Math.max(windowS, keepS || 0)) b.delete(s);
        else if (s > nowS - windowS) n += k;
      });
      if (!b.size) buckets.delete(source);
      else if (n) out.push({ source, rate: n / windowS });
    });
    out.sort((a, b) => b.rate - a.rate || (a.source < b.source ? -1 : 1));
    const top = out.length ? out[0].rate : 0;
    return out.map((r) => Object.assign(r, { share: top ? r.rate / top : 0 }));
  }

  const rateText = (r) => (r >= 10 ? Math.round(r) : r.toFixed(1)) + '/s';

  function row(r) {
    return D.h('div', { className: 'mini-row ingest-row', dataset: { source: F.text(r.source, 200), rate: r.rate.toFixed(1) } }, [
      D.h('span', { className: 'row-name', title: F.text(r.source, 400), text: F.text(r.source, 60) }),
      D.h('div', { className: 'progress-track ingest-bar' }, [D.barFill(r.share)]),
      D.h('span', { className: 'stat', text: rateText(r.rate) }),
    ]);
  }

  function paint(ctx) {
    const list = rates(S.buckets, Math.floor(Date.now() / 1000), S.windowS, KEEP_S);
    const box = D.byId(ctx.ids.ingest_rate);
    if (list.length) D.keyedList(box, list, (r) => r.source, (r) => rateText(r.rate) + (r.share * 100).toFixed(0), row, S.rows);
    else D.emptyState(box, 'No events in the last ' + S.windowS + ' s', 'arrows-exchange');
    const total = list.reduce((sum, r) => sum + r.rate, 0);
    D.text(ctx.ids.ingest_rate_count, list.length ? rateText(total) + ' from ' + list.length : '');
  }

  /** New events: the client calls it at most once a second. */
  function take(ctx) {
    const fresh = ctx.window.take('ingest').filter((e) => ctx.cfg.feed_excluded_types.indexOf(e.type) < 0);
    count(S.buckets, fresh, Math.floor(Date.now() / 1000));
    paint(ctx);
  }

  const callbacks = {
    /** The user picked the window the rates are averaged over. */
    window(seconds) {
      const ctx = window.mova.client.ctx;
      S.windowS = seconds || 10;
      if (ctx.cfg) paint(ctx);
      return B.noUpdate();
    },
  };

  return {
    name: 'ingest',
    paint: take,
    minIntervalMs: 1000,
    wants: (e, ctx) => ctx.cfg.feed_excluded_types.indexOf(e.type) < 0,
    boot(ctx) { ctx.window.cursor('ingest', ctx.bootSeq); }, // live events only: history has no arrival rate
    tick(ctx) { if (S.buckets.size) paint(ctx); },
    callbacks, count, rates,
  };
});
