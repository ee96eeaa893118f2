/*
 * MOVA Live: pure helpers of the browser live client (no DOM, no Dash).
 *
 * Loaded by the page as window.movaHelpers and by node's test runner through
 * module.exports (tests/js/). Everything that decides something (backoff,
 * merge by seq, titles, filters, relative times) lives here so it can be
 * tested without a browser; assets/mova_live.js wires it to Dash.
 */
(function (root, factory) {
  const api = factory();
  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
  } else {
    root.movaHelpers = api;
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // -- reconnecting -----------------------------------------------------------

  /**
   * Milliseconds to wait before reconnect attempt `attempt` (1-based): 1 s
   * doubling up to 30 s for the first `maxTries`, then every 30 s; each delay
   * is spread by +-jitter so that many pages do not reconnect in step.
   */
  function backoffDelay(attempt, opts, rand) {
    const o = Object.assign({ baseMs: 1000, maxMs: 30000, maxTries: 10, jitter: 0.2 }, opts || {});
    const r = typeof rand === 'function' ? rand() : Math.random();
    const n = Math.max(1, Math.floor(attempt));
    const base = n > o.maxTries ? o.maxMs : Math.min(o.maxMs, o.baseMs * Math.pow(2, n - 1));
    const spread = base * (1 - o.jitter + 2 * o.jitter * r);
    return Math.round(Math.max(o.baseMs * (1 - o.jitter), Math.min(o.maxMs, spread)));
  }

  // -- merging ------------------------------------------------------------------

  /**
   * The one merge of the live path: events from a socket frame or a poll
   * response, minus every seq already applied. Sources deliver contiguous runs
   * after the seq they were asked from, so "seq above the last applied" drops
   * exactly the duplicates; a lost frame is caught by `frameStatus` and
   * backfilled before the next frame is merged.
   * Returns {fresh, lastSeq}: the new events in seq order and the new last seq.
   */
  function mergeBySeq(lastSeq, incoming) {
    const sorted = (incoming || [])
      .filter((e) => e && Number.isFinite(e.seq))
      .slice()
      .sort((a, b) => a.seq - b.seq);
    const fresh = [];
    let last = lastSeq || 0;
    for (const event of sorted) {
      if (event.seq > last) {
        fresh.push(event);
        last = event.seq;
      }
    }
    return { fresh, lastSeq: last };
  }

  /** 'ok' when frame `n` follows `lastN`, 'lost' when frames were skipped (backfill first). */
  function frameStatus(lastN, n) {
    if (!Number.isFinite(n)) return 'ok';
    return n > (lastN || 0) + 1 ? 'lost' : 'ok';
  }

  /** The sliding window the event store holds: old + fresh, at most `max` (but never less than fresh). */
  function slideWindow(windowEvents, fresh, max) {
    const all = (windowEvents || []).concat(fresh || []);
    const keep = Math.max(max || 0, (fresh || []).length);
    return all.length > keep ? all.slice(all.length - keep) : all;
  }

  /** Events of `events` with seq above `cursor` (a panel's own position in the store). */
  function after(events, cursor) {
    return (events || []).filter((e) => e.seq > (cursor || 0));
  }

  // -- time ------------------------------------------------------------------------

  function toMs(time) {
    if (typeof time === 'number') return time;
    const ms = Date.parse(time);
    return Number.isFinite(ms) ? ms : NaN;
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

  /** Put `incoming` into a newest-first list without duplicates; keep at most `max`. */
  function insertNewestFirst(items, incoming, max) {
    const seen = new Set((items || []).map((e) => e.seq));
    const add = (incoming || []).filter((e) => !seen.has(e.seq) && seen.add(e.seq));
    const all = add.concat(items || []).sort((a, b) => b.seq - a.seq);
    return max ? all.slice(0, max) : all;
  }

  /** The feed rows to show: categories ticked and text matching the search (case-insensitive). */
  function feedView(items, selected, search) {
    const wanted = selected ? new Set(selected) : null;
    const needle = String(search || '').trim().toLowerCase();
    return (items || []).filter((event) => {
      if (wanted && !wanted.has(categoryOf(event.type))) return false;
      if (!needle) return true;
      const desc = describe(event);
      const hay = [desc.title, desc.detail, event.type, event.source, actorOf(event)].join(' ').toLowerCase();
      return hay.indexOf(needle) >= 0;
    });
  }

  // -- notifications -------------------------------------------------------------------------

  /** Fresh marks for a data store (a new epoch starts clean: seqs restart with a new store). */
  function notifyState(state, epoch) {
    const s = state && typeof state === 'object' ? state : {};
    if (epoch && s.epoch && s.epoch !== epoch) return { epoch, read_upto: 0, read: [], removed: [], cleared_upto: 0 };
    return {
      epoch: s.epoch || epoch || null,
      read_upto: s.read_upto || 0,
      read: Array.isArray(s.read) ? s.read : [],
      removed: Array.isArray(s.removed) ? s.removed : [],
      cleared_upto: s.cleared_upto || 0,
    };
  }

  /** The list (newest first, at most max) and the unread count, given the saved marks. */
  function notificationView(items, state, max) {
    const s = notifyState(state);
    const removed = new Set(s.removed);
    const read = new Set(s.read);
    const list = (items || [])
      .filter((e) => e.seq > s.cleared_upto && !removed.has(e.seq))
      .sort((a, b) => b.seq - a.seq)
      .slice(0, max || 10)
      .map((e) => ({ event: e, unread: e.seq > s.read_upto && !read.has(e.seq) }));
    return { list, unread: list.filter((x) => x.unread).length };
  }

  function markAllRead(state, items) {
    const s = notifyState(state);
    const top = (items || []).reduce((m, e) => Math.max(m, e.seq), s.read_upto);
    return Object.assign({}, s, { read_upto: top, read: [] });
  }

  function removeNotification(state, seq) {
    const s = notifyState(state);
    const removed = s.removed.filter((x) => x > s.cleared_upto);
    if (removed.indexOf(seq) < 0) removed.push(seq);
    return Object.assign({}, s, { removed: removed.slice(-200) });
  }

  function clearAll(state, items) {
    const s = notifyState(state);
    const top = (items || []).reduce((m, e) => Math.max(m, e.seq), s.cleared_upto);
    return Object.assign({}, s, { cleared_upto: top, read_upto: Math.max(s.read_upto, top), read: [], removed: [] });
  }

  // -- connection badge --------------------------------------------------------------------------

  const STATES = {
    connecting: { label: 'Connecting', icon: 'loader-2' },
    live: { label: 'Live', icon: 'broadcast' },
    reconnecting: { label: 'Reconnecting', icon: 'refresh' },
    polling: { label: 'Polling', icon: 'arrows-exchange' },
    offline: { label: 'Offline', icon: 'cloud-off' },
  };

  /** connecting | live | reconnecting | polling | offline, from the client's connection snapshot. */
  function connectionState(c) {
    if (!c || !c.started) return 'connecting';
    if (c.socketLive) return 'live';
    if (c.pollOk === true) return 'polling'; // REST delivers while the socket is down
    if (!c.attempt && !c.lost) return 'connecting'; // the first socket is still opening
    if (c.pollOk === false && c.failed > 0) return 'offline'; // neither answers
    return 'reconnecting';
  }

  /** Label, icon and the short detail ("attempt 2/10 · next try in 3 s") of the badge. */
  function connectionView(c, nowMs) {
    const state = connectionState(c);
    const info = STATES[state];
    let detail = '';
    if ((state === 'reconnecting' || state === 'offline' || state === 'polling') && c && c.attempt > 0) {
      const max = c.maxTries || 10;
      const wait = c.nextTryAt ? Math.max(0, Math.ceil((c.nextTryAt - nowMs) / 1000)) : null;
      detail = 'attempt ' + Math.min(c.attempt, max) + '/' + max + (c.attempt > max ? '+' : '');
      if (wait !== null) detail += ' · next try in ' + wait + ' s';
    }
    return { state, label: info.label, icon: info.icon, detail };
  }

  return {
    backoffDelay, mergeBySeq, frameStatus, slideWindow, after,
    toMs, relativeTime, localTime, clockTime,
    categoryOf, categoryIcon, cssToken, isNotice, levelOf, levelIcon, isSticky,
    describe, actorOf, bytes, formatValue, seriesPoints,
    insertNewestFirst, feedView,
    notifyState, notificationView, markAllRead, removeNotification, clearAll,
    connectionState, connectionView,
  };
});
