/*
 * MOVA Live: the metrics export dialog's download link (callbacks/export.py).
 *
 * User actions only (no events): the link points at the streaming export endpoint, rebuilt from the
 * user's choices, so a large export never passes through a Dash callback. Opening the dialog takes
 * what the charts show (panel_charts.js `view`): the series drawn (a series hidden from its legend is
 * left out), the range, and its window at that moment as absolute times (a zoom narrows it), with the
 * charts' own `max_points` for a range they show averaged: the file holds the points on the screen.
 * Another range picked in the dialog is that many seconds back from the download. The feed's export
 * link is the feed's query (panel_feed.js).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).export = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const Q = need('./queries.js');
  const B = need('./bridge.js');

  const S = { shown: null }; // the charts' view when the dialog opened
  const iso = (ms) => new Date(ms).toISOString();

  /** [href, summary] for the dialog's choices; `shown` is the charts' view (null: none yet). */
  function link(cfg, series, range, format, layout, shown) {
    const n = (series || []).length;
    const fmt = format || 'csv';
    const tail = ' · ' + fmt + (layout === 'wide' ? ' · wide' : ' · long');
    if (!n) return [null, 'Pick at least one series'];
    if (shown && shown.range === range) {
      const href = Q.metricsExportUrl({ series, since: iso(shown.sinceMs), until: iso(shown.untilMs), format: fmt, layout: layout || 'long' })
        + (shown.maxPoints ? '&max_points=' + shown.maxPoints : '');
      const span = F.clockTime(shown.sinceMs) + '–' + F.clockTime(shown.untilMs);
      return [href, n + ' series · ' + span + ' as on the charts' + (shown.maxPoints ? ' (their averages)' : '') + tail];
    }
    const seconds = cfg.ranges[range] || cfg.live_window_s;
    const href = Q.metricsExportUrl({ series, since: seconds, format: fmt, layout: layout || 'long' });
    return [href, n + ' series · last ' + F.duration(seconds) + tail];
  }

  const callbacks = {
    link(series, range, format, layout, _isOpen, config) {
      return link(config, series, range, format, layout, S.shown);
    },
    /** Opening the dialog takes what the charts show: their series, their range and its window. */
    open(clicks, range, isOpen, config) {
      if (!clicks) return B.noUpdate(3);
      if (isOpen) return [false, B.noUpdate(), B.noUpdate()];
      const ctx = window.mova.client.ctx;
      S.shown = window.mova.panels.charts.view(config, ctx.serverNow());
      const series = S.shown ? S.shown.series : [];
      return [true, (S.shown && S.shown.range) || range || 'live', series];
    },
  };

  return { name: 'export', wants: () => false, callbacks, link };
});
