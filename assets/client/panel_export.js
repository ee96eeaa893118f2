/*
 * MOVA Live: the export dialog's and the feed's download links (callbacks/export.py).
 *
 * User actions only (no events): the links point at the streaming export endpoints, rebuilt from the
 * user's choices, so a large export never passes through a Dash callback.
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
  const B = need('./bridge.js');

  /** [href, summary] for the dialog's choices. */
  function link(cfg, series, range, format, layout) {
    const seconds = cfg.ranges[range] || cfg.live_window_s;
    const n = (series || []).length;
    const href = F.metricsExportUrl({ series: series || [], since: seconds, format: format || 'csv', layout: layout || 'long' });
    const summary = n ? n + ' series · last ' + F.duration(seconds) + ' · ' + (format || 'csv') + (layout === 'wide' ? ' · wide' : ' · long') : 'Pick at least one series';
    return [n ? href : null, summary];
  }

  const callbacks = {
    link(series, range, format, layout, config) {
      return link(config, series, range, format, layout);
    },
    /** Opening the dialog defaults to what the charts show: their series (those known), their range. */
    open(clicks, range, isOpen, config) {
      if (!clicks) return B.noUpdate(3);
      if (isOpen) return [false, B.noUpdate(), B.noUpdate()];
      const charts = window.mova.panels.charts;
      const shown = Object.keys(config.charts).flatMap((id) => config.charts[id].series).filter((s) => charts.known.has(s));
      return [true, range || 'live', Array.from(new Set(shown))];
    },
    feed(filterValue, search) {
      return F.feedExportUrl(filterValue, search, { format: 'csv' });
    },
  };

  return { name: 'export', wants: () => false, callbacks, link };
});
