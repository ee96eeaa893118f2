// Unit tests of the live-state fold (the browser twin of hub/state.py), resets and export links: node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const H = require('../../assets/mova_helpers.js');

let seq = 0;
const ev = (type, data, second) => ({ seq: ++seq, type, data, source: 'api', time: new Date(Date.UTC(2026, 10, 26, 14, 0, second)).toISOString() });

test('a training job: progress moves, a finished job reports progress 1 and no ETA, a rerun starts fresh', () => {
  const live = H.foldLive(null, [
    ev('ml.training.progress', { job: 'bert', progress: 0.2, state: 'running', loss: 0.9, eta_s: 100 }, 0),
    ev('ml.training.progress', { job: 'bert', progress: 0.6, state: 'running', loss: 0.5 }, 10),
  ]);
  assert.equal(live.jobs.bert.progress, 0.6);
  assert.equal(live.jobs.bert.loss, 0.5);
  H.foldLive(live, [ev('ml.training.progress', { job: 'bert', progress: 0.9, state: 'completed' }, 20)]);
  assert.deepEqual([live.jobs.bert.state, live.jobs.bert.progress, live.jobs.bert.eta_s], ['completed', 1, 0]);
  H.foldLive(live, [ev('ml.training.progress', { job: 'bert', progress: 0.1, state: 'running' }, 30)]);
  assert.equal(live.jobs.bert.loss, undefined, 'a new run forgets the old run');
});

test('a late report (older time) does not undo a newer one', () => {
  const live = H.foldLive(null, [ev('ml.training.progress', { job: 'j', progress: 0.5, state: 'running' }, 10)]);
  H.foldLive(live, [ev('ml.training.progress', { job: 'j', progress: 0.1, state: 'running' }, 5)]);
  assert.equal(live.jobs.j.progress, 0.5);
});

test('transfers: rate from consecutive reports, ETA, average rate when completed, fade then leave', () => {
  const t = (bytes, state, s) => ev('file.download.progress', { transfer: 'x', name: 'a.bin', bytes, total: 1000, state }, s);
  const live = H.foldLive(null, [t(0, 'running', 0), t(200, 'running', 2)]);
  assert.equal(live.transfers.x.rate_bps, 100);
  assert.equal(live.transfers.x.eta_s, 8);
  H.foldLive(live, [t(1000, 'completed', 5)]);
  assert.equal(live.transfers.x.rate_bps, 200);
  const done = Date.UTC(2026, 10, 26, 14, 0, 5);
  assert.equal(H.transfersView(live, done + 1000, 30, 90)[0].fading, false);
  assert.equal(H.transfersView(live, done + 31000, 30, 90)[0].fading, true);
  assert.deepEqual(H.transfersView(live, done + 91000, 30, 90), []);
});

test('presence and plugins: state, last seen, versions; sorted online first', () => {
  const live = H.foldLive(null, [
    ev('user.presence', { user: 'zoe', state: 'online' }, 0),
    ev('user.presence', { user: 'ana', state: 'away' }, 1),
    ev('user.activity', { user: 'bo', action: 'opened', target: 'report' }, 2),
    ev('plugin.status', { plugin: 's3', state: 'active' }, 3),
    ev('plugin.update', { plugin: 's3', version: '2.0' }, 4),
  ]);
  assert.deepEqual(H.presenceView(live).map((u) => u.user + ':' + u.state), ['bo:online', 'zoe:online', 'ana:away']);
  assert.equal(H.presenceView(live)[0].last_action, 'opened report');
  assert.deepEqual(H.pluginsView(live).map((p) => [p.plugin, p.state, p.version]), [['s3', 'active', '2.0']]);
});

test('predictions: p50/p95 over the last minute (nearest rank, like the server), no double count', () => {
  const events = [10, 20, 30, 40, 100].map((ms, i) => ev('ml.prediction.result', { model: 'm', latency_ms: ms }, i));
  const live = H.foldLive(null, events);
  H.foldLive(live, events); // the same seqs again: ignored
  const now = Date.UTC(2026, 10, 26, 14, 0, 10);
  const [p] = H.predictionView(live, now, 60);
  assert.deepEqual([p.count, p.p50_ms, p.p95_ms, p.total], [5, 30, 100, 5]);
  assert.equal(H.predictionView(live, now + 120000, 60)[0].count, 0);
});

test('seedLive takes the /api/status state snapshot; events after it fold on top', () => {
  const live = H.seedLive({
    last_seq: 5,
    jobs: [{ job: 'a', state: 'running', progress: 0.4, updated: '2026-11-26T14:00:00.000Z' }],
    transfers: [], presence: [{ user: 'u', state: 'online', last_seen: '2026-11-26T14:00:00.000Z' }], plugins: [], models: [],
    predictions: [{ model: 'm', count: 3, per_s: 0.05, p50_ms: 5, p95_ms: 9, total: 7, last: '2026-11-26T14:00:00.000Z' }],
  });
  assert.equal(H.jobsView(live)[0].progress, 0.4);
  H.foldLive(live, [ev('ml.training.progress', { job: 'a', progress: 0.5, state: 'running' }, 30)]);
  assert.equal(H.jobsView(live)[0].progress, 0.5);
  const [p] = H.predictionView(live, Date.UTC(2026, 10, 26, 14, 0, 1), 60);
  assert.deepEqual([p.count, p.p95_ms, p.total], [3, 9, 7], 'the server summary until the page has samples');
});

test('resetReason: a new epoch or a server behind the page means reload; otherwise carry on', () => {
  assert.equal(H.resetReason({ epoch: 'a', lastSeq: 10 }, { epoch: 'a', last_seq: 12 }), null);
  assert.match(H.resetReason({ epoch: 'a', lastSeq: 10 }, { epoch: 'b', last_seq: 12 }), /recreated/);
  assert.match(H.resetReason({ epoch: 'a', lastSeq: 10 }, { epoch: 'a', last_seq: 3 }), /fewer events/);
  assert.equal(H.resetReason({ epoch: null, lastSeq: 0 }, { epoch: 'b', last_seq: 0 }), null);
});

test('reloadAllowed: at most 3 reloads a minute', () => {
  let h = [];
  for (let i = 0; i < 3; i += 1) {
    const r = H.reloadAllowed(h, 1000 + i, 3, 60000);
    assert.ok(r.ok);
    h = r.history;
  }
  assert.equal(H.reloadAllowed(h, 2000, 3, 60000).ok, false);
  assert.ok(H.reloadAllowed(h, 70000, 3, 60000).ok, 'old reloads expire');
});

test('export links: series, range and format; the feed filter as type= and its search as q=', () => {
  assert.equal(
    H.metricsExportUrl({ series: ['cpu.percent', 'a b'], since: 300, format: 'parquet', layout: 'wide' }),
    '/api/metrics/export?series=cpu.percent&series=a%20b&since=300&format=parquet&layout=wide',
  );
  assert.equal(
    H.feedExportUrl(['system', 'ml'], ' gpu & co ', {}),
    '/api/events/export?type=system.status&type=system.health&type=ml&q=gpu%20%26%20co&format=csv',
  );
  assert.match(H.feedExportUrl([], '', {}), /type=none\.selected/);
});

test('duration formats ETAs', () => {
  assert.deepEqual([H.duration(5), H.duration(65), H.duration(7322), H.duration(NaN)], ['5s', '1m 05s', '2h 02m', '']);
});
