/*
 * MOVA Live client: what the page asks the server, and the server's filter rules for live events (pure).
 *
 * The query strings of GET /api/events and the export links (GET /api/metrics/export, GET
 * /api/events/export). The feed is a query of the server over the whole history (its ticked
 * categories as type=, its search as q=); the live events that stream in on top are matched here by
 * the same rules the server applies (hub/events/filter.py type_matches, hub/storage/sql.py
 * text_clause), so a row the server would not return never shows, and the count stays true.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).queries = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** "a=1&b=x&b=y": arrays repeat their key; undefined, null and '' are left out. */
  function query(params) {
    const parts = [];
    Object.keys(params).forEach((k) => {
      const v = params[k];
      (Array.isArray(v) ? v : [v]).forEach((x) => {
        if (x !== undefined && x !== null && x !== '') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(x));
      });
    });
    return parts.join('&');
  }

  // -- the feed's filter -----------------------------------------------------------------

  /**
   * The type prefixes (GET /api/events `type=`) of the feed's ticked categories: the one rule for the
   * feed's rows, its count, "Load older", its live matching and its export. The per-second
   * system.metrics samples are never feed rows, so "system" means system.status and system.health.
   */
  function feedTypes(selected) {
    const types = [];
    (selected || []).forEach((c) => {
      if (c === 'system') types.push('system.status', 'system.health');
      else types.push(c);
    });
    return types;
  }

  /** The query string of the feed's categories and search (type=..., q=...): rows, count, "Load older" and export share it. */
  function feedQuery(selected, search) {
    const types = feedTypes(selected);
    const q = String(search || '').trim();
    return query({ type: types.length ? types : ['none.selected'], q }); // no chip ticked: a type nothing has
  }

  /** hub/events/filter.py type_matches: the type is one of the prefixes or under one by whole segments. */
  function typeMatches(type, prefixes) {
    return prefixes.some((p) => type.indexOf(p) === 0 && (type.length === p.length || type[p.length] === '.'));
  }

  const foldAscii = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

  /**
   * hub/storage/sql.py text_clause, for live events: the type, the source or a string value anywhere in
   * `data` holds `needle` (ASCII letters in any case; keys, numbers and the time never match).
   */
  function textMatches(event, needle) {
    const n = foldAscii(String(needle || '').trim());
    if (!n) return true;
    const has = (v) => typeof v === 'string' && foldAscii(v).indexOf(n) >= 0;
    if (has(event.type) || has(event.source)) return true;
    const stack = [event.data];
    while (stack.length) {
      const v = stack.pop();
      if (has(v)) return true;
      if (v && typeof v === 'object') Object.keys(v).forEach((k) => stack.push(v[k]));
    }
    return false;
  }

  /** Whether a live event belongs in the feed for these type prefixes (feedTypes) and search: the server's rules. */
  function matches(event, prefixes, search) {
    return typeMatches(event.type, prefixes) && textMatches(event, search);
  }

  // -- export links ------------------------------------------------------------------------

  /** GET /api/metrics/export for the chosen series, range (seconds back) and format/layout. */
  function metricsExportUrl(opts) {
    const o = opts || {};
    return '/api/metrics/export?' + query({
      series: Array.from(new Set(o.series || [])), since: o.since, until: o.until, format: o.format || 'csv', layout: o.layout || 'long',
    });
  }

  /** GET /api/events/export for what the feed shows (feedQuery), only events before `opts.before` when given. */
  function feedExportUrl(selected, search, opts) {
    const o = opts || {};
    return '/api/events/export?' + feedQuery(selected, search) + '&' + query({
      before: Number.isFinite(o.before) ? o.before : undefined, format: o.format || 'csv',
    });
  }

  return { query, feedTypes, feedQuery, typeMatches, textMatches, matches, metricsExportUrl, feedExportUrl };
});
