/*
 * MOVA Live client: formatting values as text (pure; no DOM, no Dash).
 *
 * Times ("5m ago", "14:03:07", Plotly's local date strings, the clock's shared beats), durations,
 * numbers, percents, bytes, a chart's latest value, and any value as a bounded line of text or a
 * CSS-safe class suffix. What an event says is describe.js; the links and filters sent to the server
 * are queries.js. Every module of assets/client/ is loaded by the page as window.mova.<name> (in the
 * order components/client.py lists) and by node's test runner with require (tests/js/).
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

  /** "45s", "3m 05s", "2h 10m": a duration for ETAs. */
  function duration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    const s = Math.round(seconds);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
  }

  // -- text ------------------------------------------------------------------------

  /** Any value as one line of text (objects as JSON), cut to `max` characters (200) with "…". */
  function text(value, max) {
    if (value === undefined || value === null) return '';
    const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const limit = max || 200;
    return s.length > limit ? s.slice(0, limit - 1) + '…' : s;
  }

  /** A CSS-safe class suffix for any category name (categories come from event types: [a-z0-9_-]). */
  function cssToken(value) {
    return String(value).toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  }

  // -- numbers -----------------------------------------------------------------------

  function percent(fraction) {
    return Number.isFinite(fraction) ? Math.round(fraction * 100) + '%' : '';
  }

  function number(value) {
    if (!Number.isFinite(value)) return text(value);
    if (Math.abs(value) >= 1000 || Number.isInteger(value)) return String(Math.round(value * 100) / 100);
    return String(Math.round(value * 1000) / 1000);
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

  return {
    toMs, untilBeat, relativeTime, localTime, clockTime, duration, text, cssToken, percent, number, bytes, formatValue,
  };
});
