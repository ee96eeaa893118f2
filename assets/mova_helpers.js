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

  /**
   * Append `fresh` to the window IN PLACE and trim its oldest events, keeping at least `max` (and never
   * fewer than the whole delivery). The trim is amortized: it only cuts once the window holds `max`
   * plus a quarter, so a frame of one event costs a push, not a copy of the whole window.
   */
  function appendWindow(windowEvents, fresh, max) {
    const w = windowEvents || [];
    const add = fresh || [];
    for (let i = 0; i < add.length; i += 1) w.push(add[i]);
    const keep = Math.max(max || 0, add.length);
    if (w.length > keep + Math.max(1, Math.floor(keep / 4))) w.splice(0, w.length - keep);
    return w;
  }

  /**
   * Events of a seq-ordered `events` with seq above `cursor`, found by binary search: a panel reads
   * only what is new to it, whatever the window's size.
   */
  function afterSorted(events, cursor) {
    const list = events || [];
    const c = cursor || 0;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].seq > c) hi = mid;
      else lo = mid + 1;
    }
    return lo >= list.length ? [] : list.slice(lo);
  }

  /** Events of `events` with seq above `cursor` (a panel's own position in the store). */
  function after(events, cursor) {
    return (events || []).filter((e) => e.seq > (cursor || 0));
  }

  // -- pacing the page's work ---------------------------------------------------------

  /**
   * A function that asks for `run` to happen once, later: every call made before it has run joins the
   * same run. `schedule(fn)` says when (the page: the next animation frame); `run(n)` learns how many
   * requests it absorbed. Returns whether this call scheduled a run (false: one was pending already).
   * The live client paces its panel store with it: a burst of frames costs one panel update per frame
   * of the screen, not one per socket frame.
   */
  function coalesce(run, schedule) {
    let pending = 0;
    return function request() {
      pending += 1;
      if (pending > 1) return false;
      schedule(() => {
        const n = pending;
        pending = 0;
        run(n);
      });
      return true;
    };
  }

  /**
   * Keep at most `keep` entries of an undo history ({past: [...]}) by cutting its oldest IN PLACE;
   * returns how many went. Dash appends every prop change made in the browser (socket messages, store
   * writes, set_props) to `history.past` and never trims it, so a page that is left open on a busy
   * stream holds every socket frame it ever received and copies an ever longer array on every change.
   */
  function trimHistory(history, keep) {
    const past = history && history.past;
    if (!Array.isArray(past)) return 0;
    const cut = past.length - Math.max(0, keep || 0);
    if (cut <= 0) return 0;
    past.splice(0, cut);
    return cut;
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


  // -- live state: jobs, models, transfers, presence, plugins, predictions -------------------------
  //
  // The browser's twin of hub/state.py: seeded from GET /api/status `state` at boot (so a reload shows
  // the same panels) and folded forward with every event after that snapshot's seq. Entries keep the
  // server's public fields; `_ts` (epoch seconds of the last report) orders late reports.

  const TERMINAL_JOB = ['completed', 'failed', 'cancelled'];
  const FINISHED_TRANSFER = ['completed', 'failed'];
  const JOB_FIELDS = ['progress', 'epoch', 'epochs', 'step', 'loss', 'accuracy', 'eta_s', 'model'];
  const PRESENCE_ORDER = { online: 0, away: 1, offline: 2 };

  function emptyLive() {
    return { jobs: {}, models: {}, transfers: {}, presence: {}, plugins: {}, predictions: {}, predSeq: 0 };
  }

  const secondsOf = (time) => toMs(time) / 1000;

  /** A live state from a /api/status `state` snapshot (arrays of public entries). */
  function seedLive(snap) {
    const live = emptyLive();
    const s = snap || {};
    const put = (table, list, key, when) => (list || []).forEach((e) => {
      if (e && typeof e[key] === 'string') table[e[key]] = Object.assign({}, e, { _ts: secondsOf(e[when]) || 0 });
    });
    put(live.jobs, s.jobs, 'job', 'updated');
    put(live.models, s.models, 'model', 'updated');
    put(live.transfers, s.transfers, 'transfer', 'updated');
    put(live.presence, s.presence, 'user', 'last_seen');
    put(live.plugins, s.plugins, 'plugin', 'updated');
    (s.predictions || []).forEach((p) => {
      if (p && typeof p.model === 'string') live.predictions[p.model] = { samples: [], total: p.total || 0, last: p.last || null, seed: p };
    });
    return live;
  }

  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  function foldJob(live, d, when, ts, event) {
    if (typeof d.job !== 'string' || typeof d.state !== 'string') return;
    let job = live.jobs[d.job];
    if (job && ts < job._ts) return;
    if (!job || (TERMINAL_JOB.indexOf(job.state) >= 0 && d.state === 'running')) {
      job = { job: d.job, started: when, finished: null };
      live.jobs[d.job] = job;
    }
    JOB_FIELDS.forEach((k) => { if (k in d) job[k] = d[k]; });
    Object.assign(job, { state: d.state, updated: when, source: event.source, _ts: ts });
    if (TERMINAL_JOB.indexOf(d.state) >= 0) {
      job.finished = when;
      job.eta_s = d.state === 'completed' ? 0 : null;
      if (d.state === 'completed') job.progress = 1;
    }
  }

  function foldModel(live, d, when, ts) {
    if (typeof d.model !== 'string' || typeof d.version !== 'string') return;
    const prev = live.models[d.model];
    if (prev && ts < prev._ts) return;
    live.models[d.model] = {
      model: d.model, version: d.version,
      previous_version: prev && prev.version !== d.version ? prev.version : (prev ? prev.previous_version : null),
      stage: d.stage === undefined ? null : d.stage, metrics: d.metrics || {}, updated: when,
      updates: (prev ? prev.updates || 0 : 0) + 1, _ts: ts,
    };
  }

  function foldTransfer(live, d, when, ts, event) {
    const done = num(d.bytes);
    const total = num(d.total);
    if (typeof d.transfer !== 'string' || typeof d.state !== 'string' || done === null || total === null) return;
    let t = live.transfers[d.transfer];
    if (t && ts < t._ts) return;
    if (!t || (FINISHED_TRANSFER.indexOf(t.state) >= 0 && d.state === 'running')) {
      t = { transfer: d.transfer, started: when, finished: null, rate_bps: null, _ts0: ts, _bytes0: done };
      live.transfers[d.transfer] = t;
    } else if (ts > t._ts && done >= t.bytes) {
      t.rate_bps = (done - t.bytes) / (ts - t._ts);
    } else if (done < t.bytes) {
      t.rate_bps = null;
    }
    Object.assign(t, {
      name: d.name, direction: event.type === 'file.upload.progress' ? 'upload' : 'download',
      bytes: done, total, state: d.state, updated: when, _ts: ts,
    });
    t.progress = total > 0 ? Math.min(1, done / total) : null;
    if (d.state === 'running') {
      t.eta_s = t.rate_bps && total >= done ? Math.round(((total - done) / t.rate_bps) * 10) / 10 : null;
    } else {
      t.finished = when;
      t.eta_s = d.state === 'completed' ? 0 : null;
      if (d.state === 'completed' && Number.isFinite(t._ts0) && ts > t._ts0) t.rate_bps = (done - t._bytes0) / (ts - t._ts0);
    }
  }

  function foldPresence(live, d, when, ts, event) {
    if (typeof d.user !== 'string') return;
    if (event.type === 'user.presence') {
      if (typeof d.state !== 'string') return;
      const entry = live.presence[d.user] || (live.presence[d.user] = { user: d.user, last_action: null, since: when, _ts: ts });
      if (ts < entry._ts) return;
      if (entry.state !== d.state) entry.since = when;
      Object.assign(entry, { state: d.state, last_seen: when, _ts: ts });
    } else {
      if (typeof d.action !== 'string') return;
      const entry = live.presence[d.user] || (live.presence[d.user] = { user: d.user, state: 'online', since: when, _ts: ts });
      if (ts < entry._ts) return;
      entry.last_action = d.action + (typeof d.target === 'string' && d.target ? ' ' + d.target : '');
      Object.assign(entry, { last_seen: when, _ts: ts });
    }
  }

  function foldPlugin(live, d, when, ts, event) {
    if (typeof d.plugin !== 'string') return;
    const entry = live.plugins[d.plugin] || (live.plugins[d.plugin] = { plugin: d.plugin, state: null, version: null, _ts: ts });
    if (ts < entry._ts) return;
    if (event.type === 'plugin.status') entry.state = d.state === undefined ? null : d.state;
    else entry.version = d.version === undefined ? null : d.version;
    Object.assign(entry, { message: typeof d.message === 'string' ? d.message : null, updated: when, _ts: ts });
  }

  /** Latency samples of the last `windowS` seconds; `count` false adds history without counting it again. */
  function foldPrediction(live, d, when, ts, event, count) {
    const latency = num(d.latency_ms);
    if (typeof d.model !== 'string' || latency === null) return;
    // predictions arrive in seq order (history first, then live): a seq at or below the last is a repeat
    if (Number.isFinite(event.seq)) {
      if (event.seq <= live.predSeq) return;
      live.predSeq = event.seq;
    }
    const entry = live.predictions[d.model] || (live.predictions[d.model] = { samples: [], total: 0, last: null });
    entry.samples.push([ts, latency]);
    if (entry.samples.length > 1 && ts < entry.samples[entry.samples.length - 2][0]) entry.samples.sort((a, b) => a[0] - b[0]);
    if (entry.samples.length > 10000) entry.samples.splice(0, entry.samples.length - 10000);
    if (count !== false) entry.total += 1;
    if (!entry.last || ts >= secondsOf(entry.last)) entry.last = when;
  }

  const FOLDS = {
    'ml.training.progress': foldJob, 'ml.model.update': foldModel,
    'file.upload.progress': foldTransfer, 'file.download.progress': foldTransfer,
    'user.presence': foldPresence, 'user.activity': foldPresence,
    'plugin.status': foldPlugin, 'plugin.update': foldPlugin, 'ml.prediction.result': foldPrediction,
  };

  /** Fold events (seq order) into `live` (changed in place and returned); `historic` predictions are not counted. */
  function foldLive(live, events, historic) {
    const l = live || emptyLive();
    (events || []).forEach((event) => {
      const fold = event && FOLDS[event.type];
      if (!fold || !event.data || typeof event.data !== 'object') return;
      const ts = secondsOf(event.time);
      if (!Number.isFinite(ts)) return;
      fold(l, event.data, event.time, ts, event, !historic);
    });
    return l;
  }

  /** Nearest-rank percentile (q in 0..1) of an ascending, non-empty list: the server's formula. */
  function percentile(sorted, q) {
    return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
  }

  /** Per model: predictions in the last `windowS` s, per second, p50 and p95 latency (ms). */
  function predictionView(live, nowMs, windowS) {
    const w = windowS || 60;
    const horizon = nowMs / 1000 - w;
    return Object.keys(live.predictions).sort().map((model) => {
      const p = live.predictions[model];
      p.samples = p.samples.filter((s) => s[0] >= horizon - 5);
      const lat = p.samples.filter((s) => s[0] >= horizon).map((s) => s[1]).sort((a, b) => a - b);
      if (!lat.length && p.seed && p.seed.count && !p.samples.length) {
        // no samples of our own yet (a page just loaded): the server's summary at boot
        return { model, count: p.seed.count, per_s: p.seed.per_s, p50_ms: p.seed.p50_ms, p95_ms: p.seed.p95_ms, total: p.total, last: p.last };
      }
      return {
        model, count: lat.length, per_s: Math.round((lat.length / w) * 1000) / 1000,
        p50_ms: lat.length ? percentile(lat, 0.5) : null, p95_ms: lat.length ? percentile(lat, 0.95) : null,
        total: p.total, last: p.last,
      };
    });
  }

  const publicEntry = (e) => {
    const out = {};
    Object.keys(e).forEach((k) => { if (k[0] !== '_') out[k] = e[k]; });
    return out;
  };

  /** Running jobs first, then the most recently updated. */
  function jobsView(live, max) {
    return Object.values(live.jobs)
      .sort((a, b) => (a.state !== 'running') - (b.state !== 'running') || b._ts - a._ts)
      .slice(0, max || 50).map(publicEntry);
  }

  function modelsView(live, max) {
    return Object.values(live.models).sort((a, b) => b._ts - a._ts).slice(0, max || 20).map(publicEntry);
  }

  /**
   * Running transfers first; a finished one shows for `fadeS` seconds, then fades (fading: true)
   * and leaves the list `removeS` seconds after it finished.
   */
  function transfersView(live, nowMs, fadeS, removeS, max) {
    const now = nowMs / 1000;
    return Object.values(live.transfers)
      .filter((t) => FINISHED_TRANSFER.indexOf(t.state) < 0 || now - t._ts < removeS)
      .sort((a, b) => (a.state !== 'running') - (b.state !== 'running') || b._ts - a._ts)
      .slice(0, max || 50)
      .map((t) => Object.assign(publicEntry(t), { fading: FINISHED_TRANSFER.indexOf(t.state) >= 0 && now - t._ts >= fadeS }));
  }

  function presenceView(live, max) {
    const rank = (u) => (u.state in PRESENCE_ORDER ? PRESENCE_ORDER[u.state] : 3);
    return Object.values(live.presence)
      .sort((a, b) => rank(a) - rank(b) || String(a.user).localeCompare(String(b.user)))
      .slice(0, max || 100).map(publicEntry);
  }

  function pluginsView(live, max) {
    return Object.values(live.plugins)
      .sort((a, b) => String(a.plugin).localeCompare(String(b.plugin)))
      .slice(0, max || 100).map(publicEntry);
  }

  /** "45s", "3m 05s", "2h 10m": a duration for ETAs. */
  function duration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    const s = Math.round(seconds);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    return Math.floor(s / 3600) + 'h ' + pad(Math.floor((s % 3600) / 60)) + 'm';
  }

  // -- resets: the server's store is not the one the page loaded from ----------------------------

  /**
   * Why the page's position no longer exists on the server (a reason string), or null.
   * `page` is {epoch, lastSeq}; `server` is a REST answer or hello frame ({epoch, last_seq}).
   */
  function resetReason(page, server) {
    if (!page || !server) return null;
    if (page.epoch && server.epoch && page.epoch !== server.epoch) return 'the store was recreated (new epoch)';
    if (Number.isFinite(server.last_seq) && Number.isFinite(page.lastSeq) && page.lastSeq > server.last_seq) {
      return 'the server has fewer events than the page (seq ' + page.lastSeq + ' > ' + server.last_seq + ')';
    }
    return null;
  }

  /**
   * Whether a reset may reload the page now: at most `max` reloads within `windowMs` (a guard against a
   * reload loop). Returns {ok, history}: the recent reload times to keep, this one included when ok.
   */
  function reloadAllowed(history, nowMs, max, windowMs) {
    const recent = (Array.isArray(history) ? history : []).filter((t) => Number.isFinite(t) && nowMs - t < (windowMs || 60000));
    if (recent.length >= (max || 3)) return { ok: false, history: recent };
    return { ok: true, history: recent.concat([nowMs]) };
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
    const types = [];
    (selected || []).forEach((c) => {
      if (c === 'system') types.push('system.status', 'system.health');
      else types.push(c);
    });
    return '/api/events/export?' + query({
      type: types.length ? types : ['none.selected'],
      q: String(search || '').trim(), before: Number.isFinite(o.before) ? o.before : undefined, format: o.format || 'csv',
    });
  }

  return {
    backoffDelay, mergeBySeq, frameStatus, slideWindow, appendWindow, afterSorted, after, coalesce, trimHistory,
    toMs, relativeTime, localTime, clockTime,
    categoryOf, categoryIcon, cssToken, isNotice, levelOf, levelIcon, isSticky,
    describe, actorOf, text, number, bytes, formatValue, seriesPoints,
    insertNewestFirst, feedView,
    notifyState, notificationView, markAllRead, removeNotification, clearAll,
    connectionState, connectionView,
    emptyLive, seedLive, foldLive, percentile, predictionView, jobsView, modelsView, transfersView, presenceView,
    pluginsView, duration, resetReason, reloadAllowed, metricsExportUrl, feedExportUrl,
  };
});
