/*
 * MOVA Live client: the live state (jobs, models, transfers, presence, plugins, predictions).
 *
 * The browser's copy of hub/live/state.py LiveState, rule for rule: the page seeds it from GET /api/status
 * `state` (the server's folding) and folds every later event here, so a new event shows without a
 * round-trip. The two must agree: tests/vectors/live_state.json is run by pytest against LiveState
 * and by node against this module (same events, same caps, same snapshot), so a rule changed on one
 * side only fails both suites. Tables are Maps (insertion order, like Python's dicts) so that ties
 * sort the same way.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).liveState = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const TERMINAL_JOB = new Set(['completed', 'failed', 'cancelled']);
  const FINISHED_TRANSFER = new Set(['completed', 'failed']);
  const JOB_FIELDS = ['progress', 'epoch', 'epochs', 'step', 'loss', 'accuracy', 'eta_s', 'model'];
  const PRESENCE_ORDER = { online: 0, away: 1, offline: 2 };
  // hub/live/state.py Bounds: how much the state keeps, so a flood of ids cannot grow it without end
  const BOUNDS = {
    jobs: 200, transfers: 200, models: 200, users: 500, plugins: 200,
    finished_transfer_ttl_s: 600, prediction_window_s: 60, prediction_samples: 10000,
  };

  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const orNull = (v) => (v === undefined ? null : v);
  const seconds = (time) => {
    const ms = typeof time === 'string' ? Date.parse(time) : NaN;
    return Number.isFinite(ms) ? ms / 1000 : NaN;
  };

  function create(bounds) {
    return {
      bounds: Object.assign({}, BOUNDS, bounds || {}), last_seq: 0, predSeq: 0,
      jobs: new Map(), models: new Map(), transfers: new Map(), presence: new Map(), plugins: new Map(), predictions: new Map(),
    };
  }

  /** Keep at most `limit` entries: finished ones go first, then the least recently updated. */
  function trim(table, limit, finished) {
    if (table.size <= limit) return;
    const order = Array.from(table.keys()).sort((a, b) => {
      const x = table.get(a);
      const y = table.get(b);
      return (!finished(x)) - (!finished(y)) || x._ts - y._ts;
    });
    order.slice(0, table.size - limit).forEach((k) => table.delete(k));
  }

  function foldJob(s, d, when, ts, event) {
    if (typeof d.job !== 'string' || typeof d.state !== 'string') return;
    let job = s.jobs.get(d.job);
    if (job && ts < job._ts) return; // a late report must not undo a newer one
    if (!job || (TERMINAL_JOB.has(job.state) && d.state === 'running')) {
      job = { job: d.job, started: when, finished: null }; // a new run forgets the old run's numbers
      s.jobs.set(d.job, job);
    }
    JOB_FIELDS.forEach((k) => { if (k in d) job[k] = d[k]; });
    Object.assign(job, { state: d.state, updated: when, source: orNull(event.source), _ts: ts });
    if (TERMINAL_JOB.has(d.state)) {
      job.finished = when;
      job.eta_s = d.state === 'completed' ? 0 : null;
      if (d.state === 'completed') job.progress = 1;
    }
    trim(s.jobs, s.bounds.jobs, (j) => TERMINAL_JOB.has(j.state));
  }

  function foldModel(s, d, when, ts) {
    if (typeof d.model !== 'string' || typeof d.version !== 'string') return;
    const prev = s.models.get(d.model);
    if (prev && ts < prev._ts) return;
    s.models.set(d.model, {
      model: d.model, version: d.version,
      // the version it replaced; re-announcing the same version (a stage change) keeps the one before
      previous_version: prev ? (prev.version !== d.version ? prev.version : prev.previous_version) : null,
      stage: orNull(d.stage), metrics: d.metrics || {}, updated: when, updates: (prev ? prev.updates : 0) + 1, _ts: ts,
    });
    trim(s.models, s.bounds.models, () => true);
  }

  function foldTransfer(s, d, when, ts, event) {
    const done = num(d.bytes);
    const total = num(d.total);
    if (typeof d.transfer !== 'string' || typeof d.state !== 'string' || done === null || total === null) return;
    let t = s.transfers.get(d.transfer);
    if (t && ts < t._ts) return;
    if (!t || (FINISHED_TRANSFER.has(t.state) && d.state === 'running')) {
      t = { transfer: d.transfer, started: when, finished: null, rate_bps: null, _ts0: ts, _bytes0: done };
      s.transfers.set(d.transfer, t);
    } else if (ts > t._ts && done >= t.bytes) {
      t.rate_bps = (done - t.bytes) / (ts - t._ts);
    } else if (done < t.bytes) {
      t.rate_bps = null; // the count went back (a restart): no honest rate until the next report
    }
    Object.assign(t, {
      name: orNull(d.name), direction: event.type === 'file.upload.progress' ? 'upload' : 'download',
      bytes: done, total, state: d.state, updated: when,
    });
    t.progress = total > 0 ? Math.min(1, done / total) : null;
    t._ts = ts;
    if (d.state === 'running') {
      t.eta_s = t.rate_bps && total >= done ? Math.round(((total - done) / t.rate_bps) * 10) / 10 : null;
    } else {
      t.finished = when;
      t.eta_s = d.state === 'completed' ? 0 : null;
      if (d.state === 'completed' && ts > t._ts0) t.rate_bps = (done - t._bytes0) / (ts - t._ts0);
    }
    trim(s.transfers, s.bounds.transfers, (x) => FINISHED_TRANSFER.has(x.state));
  }

  function foldPresence(s, d, when, ts, event) {
    if (typeof d.user !== 'string') return;
    if (event.type === 'user.presence') {
      if (typeof d.state !== 'string') return;
      if (!s.presence.has(d.user)) s.presence.set(d.user, { user: d.user, last_action: null, since: when, _ts: ts });
      const entry = s.presence.get(d.user);
      if (ts < entry._ts) return;
      if (entry.state !== d.state) entry.since = when;
      Object.assign(entry, { state: d.state, last_seen: when, _ts: ts });
    } else {
      if (typeof d.action !== 'string') return;
      // someone acting is there: a user first seen through activity counts as online
      if (!s.presence.has(d.user)) s.presence.set(d.user, { user: d.user, state: 'online', since: when, _ts: ts });
      const entry = s.presence.get(d.user);
      if (ts < entry._ts) return;
      entry.last_action = d.action + (typeof d.target === 'string' && d.target ? ' ' + d.target : '');
      Object.assign(entry, { last_seen: when, _ts: ts });
    }
    trim(s.presence, s.bounds.users, (u) => u.state === 'offline');
  }

  function foldPlugin(s, d, when, ts, event) {
    if (typeof d.plugin !== 'string') return;
    if (!s.plugins.has(d.plugin)) s.plugins.set(d.plugin, { plugin: d.plugin, state: null, version: null, _ts: ts });
    const entry = s.plugins.get(d.plugin);
    if (ts < entry._ts) return;
    if (event.type === 'plugin.status') entry.state = orNull(d.state);
    else entry.version = orNull(d.version);
    Object.assign(entry, { message: typeof d.message === 'string' ? d.message : null, updated: when, _ts: ts });
    trim(s.plugins, s.bounds.plugins, (p) => p.state !== 'active');
  }

  /** `count` false: a boot's history page, already in the server's total. */
  function foldPrediction(s, d, when, ts, event, count) {
    const latency = num(d.latency_ms);
    if (typeof d.model !== 'string' || latency === null) return;
    if (Number.isFinite(event.seq)) {
      if (event.seq <= s.predSeq) return; // history and live overlap at boot: a seq seen is a repeat
      s.predSeq = event.seq;
    }
    let entry = s.predictions.get(d.model);
    if (!entry) {
      if (s.predictions.size >= s.bounds.models) {
        const oldest = Array.from(s.predictions.keys()).reduce((a, b) => (s.predictions.get(b).last_ts < s.predictions.get(a).last_ts ? b : a));
        s.predictions.delete(oldest);
      }
      entry = { samples: [], total: 0, last: '', last_ts: -Infinity };
      s.predictions.set(d.model, entry);
    }
    entry.samples.push([ts, latency]);
    const n = entry.samples.length;
    if (n > 1 && ts < entry.samples[n - 2][0]) entry.samples.sort((a, b) => a[0] - b[0]);
    const horizon = entry.samples[entry.samples.length - 1][0] - s.bounds.prediction_window_s;
    let cut = 0;
    while (cut < entry.samples.length && (entry.samples[cut][0] < horizon || entry.samples.length - cut > s.bounds.prediction_samples)) cut += 1;
    if (cut) entry.samples.splice(0, cut);
    if (count !== false) entry.total += 1;
    if (ts >= entry.last_ts) {
      entry.last = when;
      entry.last_ts = ts;
    }
  }

  const FOLDS = {
    'ml.training.progress': foldJob, 'ml.model.update': foldModel,
    'file.upload.progress': foldTransfer, 'file.download.progress': foldTransfer,
    'user.presence': foldPresence, 'user.activity': foldPresence,
    'plugin.status': foldPlugin, 'plugin.update': foldPlugin, 'ml.prediction.result': foldPrediction,
  };

  /** Whether events of this type change the state (hub/live/state.py STATE_TYPES). */
  const wants = (type) => Object.prototype.hasOwnProperty.call(FOLDS, type);

  /** Fold events (seq order) into `s`, in place; `historic` predictions are not counted again. */
  function apply(s, events, historic) {
    (events || []).forEach((event) => {
      if (!event) return;
      if (Number.isFinite(event.seq) && event.seq > s.last_seq) s.last_seq = event.seq;
      const fold = FOLDS[event.type];
      if (!fold || !event.data || typeof event.data !== 'object') return;
      const ts = seconds(event.time);
      if (!Number.isFinite(ts)) return; // stored events always carry a valid time
      fold(s, event.data, event.time, ts, event, !historic);
    });
    return s;
  }

  /** A state from GET /api/status `state` (the server's snapshot, public fields only). */
  function seed(snap, bounds) {
    const s = create(bounds);
    const snapshot = snap || {};
    const put = (table, list, key, when) => (list || []).forEach((e) => {
      if (!e || typeof e[key] !== 'string') return;
      const entry = Object.assign({}, e, { _ts: seconds(e[when]) || 0 });
      if (entry.stalled) {
        // the server answered it as stalled (hub/live/staleness.py): the state is what it last reported,
        // and `snapshot` says stalled again for as long as it stays quiet
        entry.state = entry.last_state;
        delete entry.stalled;
        delete entry.last_state;
      }
      table.set(e[key], entry);
    });
    put(s.jobs, snapshot.jobs, 'job', 'updated');
    put(s.models, snapshot.models, 'model', 'updated');
    put(s.transfers, snapshot.transfers, 'transfer', 'updated');
    put(s.presence, snapshot.presence, 'user', 'last_seen');
    put(s.plugins, snapshot.plugins, 'plugin', 'updated');
    (snapshot.predictions || []).forEach((p) => {
      if (p && typeof p.model === 'string') {
        s.predictions.set(p.model, { samples: [], total: p.total || 0, last: p.last || '', last_ts: seconds(p.last) || -Infinity, seed: p });
      }
    });
    s.last_seq = Number.isFinite(snapshot.last_seq) ? snapshot.last_seq : 0;
    return s;
  }

  const pct = (sorted, q) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
  const publicEntry = (e) => {
    const out = {};
    Object.keys(e).forEach((k) => { if (k[0] !== '_') out[k] = e[k]; });
    return out;
  };
  const sorted = (table, cmp) => Array.from(table.values()).sort(cmp).map(publicEntry);
  const byStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  function predictions(s, nowS) {
    const w = s.bounds.prediction_window_s;
    return Array.from(s.predictions.keys()).sort(byStr).map((model) => {
      const p = s.predictions.get(model);
      const lat = p.samples.filter((x) => x[0] >= nowS - w).map((x) => x[1]).sort((a, b) => a - b);
      if (!lat.length && !p.samples.length && p.seed && p.seed.count) {
        // a page just loaded has no samples of its own yet: the server's summary at boot
        return Object.assign({}, p.seed, { total: p.total, last: p.last });
      }
      return {
        model, count: lat.length, per_s: Math.round((lat.length / w) * 1000) / 1000,
        p50_ms: lat.length ? pct(lat, 0.5) : null, p95_ms: lat.length ? pct(lat, 0.95) : null, total: p.total, last: p.last,
      };
    });
  }

  const WATCHED = { jobs: true, transfers: true }; // hub/live/staleness.py WATCHED: the lists whose entries report progress

  /** hub/live/staleness.py is_stalled: running, but no report for more than `afterS` seconds. */
  function isStalled(entry, now, afterS) {
    if (entry.state !== 'running') return false;
    const last = seconds(entry.updated);
    return Number.isFinite(last) && now - last > afterS;
  }

  /**
   * hub/live/staleness.py mark_stalled, rule for rule: quiet running jobs and transfers answered as
   * `stalled` (with `stalled: true`, the `last_state` reported, no ETA), listed after the running ones.
   */
  function markStalled(snap, nowMs, afterS) {
    const now = nowMs / 1000;
    const out = Object.assign({}, snap);
    Object.keys(WATCHED).forEach((key) => {
      const entries = (snap[key] || []).map((e) => (isStalled(e, now, afterS)
        ? Object.assign({}, e, { state: 'stalled', stalled: true, last_state: e.state, eta_s: null }) : e));
      out[key] = entries.map((e, i) => [e, i])
        .sort((a, b) => (a[0].state !== 'running') - (b[0].state !== 'running') || a[1] - b[1]).map((x) => x[0]);
    });
    return out;
  }

  /**
   * The same JSON as LiveState.snapshot(now): sorted lists of public entries; with `stalledAfterS`
   * (the server's --stalled-after-s, in the page config) as GET /api/status serves it (markStalled).
   */
  function snapshot(s, nowMs, stalledAfterS) {
    const now = nowMs / 1000;
    s.transfers.forEach((t, k) => {
      if (FINISHED_TRANSFER.has(t.state) && t._ts < now - s.bounds.finished_transfer_ttl_s) s.transfers.delete(k);
    });
    const runningFirst = (a, b) => (a.state !== 'running') - (b.state !== 'running') || b._ts - a._ts;
    const rank = (u) => (u.state in PRESENCE_ORDER ? PRESENCE_ORDER[u.state] : 3);
    const snap = {
      last_seq: s.last_seq,
      jobs: sorted(s.jobs, runningFirst),
      models: sorted(s.models, (a, b) => b._ts - a._ts),
      transfers: sorted(s.transfers, runningFirst),
      presence: sorted(s.presence, (a, b) => rank(a) - rank(b) || byStr(a.user, b.user)),
      plugins: sorted(s.plugins, (a, b) => byStr(a.plugin, b.plugin)),
      predictions: predictions(s, now),
    };
    return Number.isFinite(stalledAfterS) ? markStalled(snap, nowMs, stalledAfterS) : snap;
  }

  return { BOUNDS, create, seed, apply, wants, snapshot, markStalled, predictions, TERMINAL_JOB, FINISHED_TRANSFER };
});
