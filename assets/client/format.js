/*
 * MOVA Live client: formatting and describing events (pure; no DOM, no Dash).
 *
 * Times ("5m ago", Plotly's local date strings), an event's one-line title and detail, its category
 * and icon, numbers, bytes, durations, the numeric series an event carries, and the export links.
 * Every module of assets/client/ is loaded by the page as window.mova.<name> (in the order
 * components/client.py lists) and by node's test runner with require (tests/js/).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).format = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // -- time ------------------------------------------------------------------------

  function toMs(time) {
    if (typeof time === 'number') return time;
    const ms = Date.parse(time);
    return Number.isFinite(ms) ? ms : NaN;
  }

  /**
   * Milliseconds from `nowMs` to the next multiple of `everyMs` on the clock (never 0: a whole beat
   * when it is exactly on one). Panels that repaint at most every 500 ms, 1 s or 2 s, and the 1 s
   * clock, wait for the same beats, so the browser draws them in one style, layout and paint pass
   * instead of one pass each (bench/results.md section 6).
   */
  function untilBeat(everyMs, nowMs) {
    return everyMs - (((nowMs % everyMs) + everyMs) % everyMs);
  }

  /** "just now", "42s ago", "5m ago", "3h ago", "2d ago". */
  function relativeTime(time, nowMs) {
    const then = toMs(time);
    if (!Number.isFinite(then)) return '';
    const s = Math.floor((nowMs - then) / 1000);
    if (s < 10) return 'just now';
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ago';
    return Math.floor(s / 86400) + 'd ago';
  }

  function pad(n, width) {
    return String(n).padStart(width || 2, '0');
  }

  /** An ISO time as local "YYYY-MM-DD HH:MM:SS.mmm", the form Plotly's date axes read as local time. */
  function localTime(time) {
    const d = new Date(toMs(time));
    if (Number.isNaN(d.getTime())) return null;
    return (
      d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3)
    );
  }

  /** "14:03:07" for the status details. */
  function clockTime(time) {
    const d = new Date(toMs(time));
    if (Number.isNaN(d.getTime())) return '—';
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  // -- events --------------------------------------------------------------------------

  const CATEGORY_ICONS = {
    system: 'server', ml: 'brain', file: 'file', user: 'user', notification: 'bell',
    alert: 'alert-triangle', plugin: 'puzzle', analytics: 'chart-bar', metrics: 'gauge',
  };
  const LEVEL_ICONS = { success: 'circle-check', error: 'circle-x', warning: 'alert-triangle', info: 'info-circle' };
  const SERIES_TYPES = ['system.metrics', 'metrics.update', 'analytics.update'];

  function categoryOf(type) {
    return String(type || 'other').split('.')[0] || 'other';
  }

  function categoryIcon(category) {
    return CATEGORY_ICONS[category] || 'circle-dot';
  }

  /** A CSS-safe class suffix for any category name (categories come from event types: [a-z0-9_-]). */
  function cssToken(text) {
    return String(text).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  }

  function isNotice(event) {
    return event && (event.type === 'notification' || event.type === 'alert');
  }

  /** success | error | warning | info for notifications and alerts (critical alerts count as errors). */
  function levelOf(event) {
    const data = (event && event.data) || {};
    if (event && event.type === 'alert') {
      if (data.resolved === true) return 'success';
      return { critical: 'error', warning: 'warning', info: 'info' }[data.severity] || 'warning';
    }
    return LEVEL_ICONS[data.level] ? data.level : 'info';
  }

  function levelIcon(level) {
    return LEVEL_ICONS[level] || 'info-circle';
  }

  /** Errors and critical alerts stay until dismissed; the others hide themselves. */
  function isSticky(event) {
    return levelOf(event) === 'error';
  }

  function text(value, max) {
    if (value === undefined || value === null) return '';
    const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const limit = max || 200;
    return s.length > limit ? s.slice(0, limit - 1) + '…' : s;
  }

  function percent(fraction) {
    return Number.isFinite(fraction) ? Math.round(fraction * 100) + '%' : '';
  }

  function number(value) {
    if (!Number.isFinite(value)) return text(value);
    if (Math.abs(value) >= 1000 || Number.isInteger(value)) return String(Math.round(value * 100) / 100);
    return String(Math.round(value * 1000) / 1000);
  }

  function seriesSummary(data) {
    const keys = Object.keys(data || {});
    const shown = keys.slice(0, 3).map((k) => k + ' ' + number(data[k])).join(', ');
    return keys.length > 3 ? shown + ' +' + (keys.length - 3) + ' more' : shown;
  }

  /** {title, detail}: one line built from the event's data, and an optional second line. */
  function describe(event) {
    const d = (event && event.data) || {};
    const type = (event && event.type) || '';
    switch (type) {
      case 'system.status':
        return { title: 'System ' + text(d.state), detail: text(d.message) };
      case 'system.health': {
        const checks = d.checks || {};
        const counts = { ok: 0, warn: 0, fail: 0 };
        Object.keys(checks).forEach((k) => { counts[checks[k]] = (counts[checks[k]] || 0) + 1; });
        return {
          title: 'Health checks: ' + counts.ok + ' ok, ' + counts.warn + ' warn, ' + counts.fail + ' fail',
          detail: text(d.message),
        };
      }
      case 'system.metrics':
      case 'metrics.update':
      case 'analytics.update':
        return { title: Object.keys(d).length + ' series updated', detail: seriesSummary(d) };
      case 'ml.model.update':
        return {
          title: 'Model ' + text(d.model) + ' → ' + text(d.version) + (d.stage ? ' (' + text(d.stage) + ')' : ''),
          detail: d.metrics ? seriesSummary(d.metrics) : '',
        };
      case 'ml.training.progress': {
        const parts = [text(d.job) + ': ' + text(d.state)];
        if (Number.isFinite(d.epoch)) parts.push('epoch ' + d.epoch + (Number.isFinite(d.epochs) ? '/' + d.epochs : ''));
        parts.push(percent(d.progress));
        const detail = [];
        if (Number.isFinite(d.loss)) detail.push('loss ' + number(d.loss));
        if (Number.isFinite(d.accuracy)) detail.push('accuracy ' + number(d.accuracy));
        if (Number.isFinite(d.eta_s)) detail.push('ETA ' + Math.round(d.eta_s) + 's');
        return { title: parts.filter(Boolean).join(' · '), detail: detail.join(' · ') };
      }
      case 'ml.prediction.result':
        return {
          title: text(d.model) + (d.label !== undefined ? ' predicted ' + text(d.label) : ' prediction') +
            (Number.isFinite(d.confidence) ? ' (' + percent(d.confidence) + ')' : ''),
          detail: Number.isFinite(d.latency_ms) ? number(d.latency_ms) + ' ms' : '',
        };
      case 'file.operation':
        return {
          title: text(d.op) + ' ' + text(d.path) + (d.status === 'failed' ? ' failed' : ''),
          detail: Number.isFinite(d.size) ? bytes(d.size) : '',
        };
      case 'file.upload.progress':
      case 'file.download.progress': {
        const verb = type === 'file.upload.progress' ? 'Upload' : 'Download';
        const frac = d.total > 0 ? d.bytes / d.total : null;
        return {
          title: verb + ' ' + text(d.name) + ' ' + (d.state === 'running' ? percent(frac) : text(d.state)),
          detail: bytes(d.bytes) + ' of ' + bytes(d.total),
        };
      }
      case 'user.activity':
        return { title: text(d.user) + ' ' + text(d.action) + (d.target ? ' ' + text(d.target) : ''), detail: '' };
      case 'user.presence':
        return { title: text(d.user) + ' is ' + text(d.state), detail: '' };
      case 'notification':
        return { title: text(d.title), detail: text(d.message, 400) };
      case 'alert':
        return {
          title: (d.resolved ? 'Resolved: ' : '') + text(d.title),
          detail: text(d.message, 400),
        };
      case 'plugin.update':
        return { title: text(d.plugin) + ' updated to ' + text(d.version), detail: text(d.message) };
      case 'plugin.status':
        return { title: text(d.plugin) + ' is ' + text(d.state), detail: text(d.message) };
      default: {
        const title = d.title || d.message || d.name || d.action || type;
        const rest = Object.keys(d).filter((k) => d[k] !== title).slice(0, 3)
          .map((k) => k + ' ' + text(d[k], 40)).join(', ');
        return { title: text(title), detail: rest };
      }
    }
  }

  /** Who or what the event came from: data.user when present, else the envelope's source. */
  function actorOf(event) {
    const d = (event && event.data) || {};
    return text(typeof d.user === 'string' ? d.user : event && event.source, 80);
  }

  function bytes(value) {
    if (!Number.isFinite(value)) return '';
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = Math.abs(value);
    let i = 0;
    while (v >= 1000 && i < units.length - 1) { v /= 1000; i += 1; }
    return (value < 0 ? '-' : '') + (v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)) + ' ' + units[i];
  }

  /** A chart's latest value as text: "12.5%", "1.2 MB/s", or a plain number. */
  function formatValue(value, unit) {
    if (!Number.isFinite(value)) return '—';
    if (unit === '%') return value.toFixed(1) + '%';
    if (unit === 'B/s') return bytes(value) + '/s';
    return number(value);
  }

  /** The numeric samples an event carries, as {series name: value} (DESIGN.md §2). */
  function seriesPoints(event) {
    const out = {};
    if (!event || !event.data) return out;
    const d = event.data;
    if (SERIES_TYPES.indexOf(event.type) >= 0) {
      Object.keys(d).forEach((k) => { if (Number.isFinite(d[k])) out[k] = d[k]; });
    } else if (event.type === 'ml.training.progress' && d.job) {
      ['loss', 'accuracy', 'progress'].forEach((k) => {
        if (Number.isFinite(d[k])) out['ml.' + d.job + '.' + k] = d[k];
      });
    }
    return out;
  }

  // -- feed --------------------------------------------------------------------------------


  /** "45s", "3m 05s", "2h 10m": a duration for ETAs. */
  function duration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    const s = Math.round(seconds);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
  }

  // -- export links ------------------------------------------------------------------------------

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

  /** GET /api/metrics/export for the chosen series, range (seconds back) and format/layout. */
  function metricsExportUrl(opts) {
    const o = opts || {};
    return '/api/metrics/export?' + query({
      series: Array.from(new Set(o.series || [])), since: o.since, until: o.until, format: o.format || 'csv', layout: o.layout || 'long',
    });
  }

  /**
   * GET /api/events/export for what the feed shows: its ticked categories as type= (the per-second
   * system.metrics samples are never feed rows, so "system" means system.status and system.health),
   * its search as q=, and only events up to the page's last seq.
   */
  function feedExportUrl(selected, search, opts) {
    const o = opts || {};
    const types = feedTypes(selected);
    return '/api/events/export?' + query({
      type: types.length ? types : ['none.selected'],
      q: String(search || '').trim(), before: Number.isFinite(o.before) ? o.before : undefined, format: o.format || 'csv',
    });
  }

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

  return {
    toMs, untilBeat, relativeTime, localTime, clockTime, duration, categoryOf, categoryIcon, cssToken, isNotice, levelOf,
    levelIcon, isSticky, describe, actorOf, text, number, bytes, formatValue, seriesPoints, query,
    metricsExportUrl, feedExportUrl, feedTypes, typeMatches, textMatches,
  };
});
