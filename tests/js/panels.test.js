// The panels' pure parts: feed list, notification marks, transfers fading, ingest rates, job rows.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const feed = require('../../assets/client/panel_feed.js');
const notes = require('../../assets/client/panel_notifications.js');
const transfers = require('../../assets/client/panel_transfers.js');
const ingest = require('../../assets/client/panel_ingest.js');
const ml = require('../../assets/client/panel_ml.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('feed: newest first, no duplicates, capped; filter by category and search', () => {
  let items = feed.insertNewestFirst([], [ev(1), ev(2, 'ml.model.update', { model: 'm', version: 'v1' })], 3);
  items = feed.insertNewestFirst(items, [ev(2), ev(3, 'user.activity', { user: 'ana', action: 'login' }), ev(4)], 3);
  assert.deepEqual(items.map((e) => e.seq), [4, 3, 2]);
  assert.deepEqual(feed.view(items, ['ml', 'user']).map((e) => e.seq), [3, 2]);
  assert.deepEqual(feed.view(items, ['notification', 'ml', 'user'], 'ANA').map((e) => e.seq), [3]);
  assert.deepEqual(feed.view(items, []).length, 0);
  assert.deepEqual(feed.view(items, null).length, 3);
});

test('notification marks: read, remove one, clear all; a new store epoch starts clean', () => {
  const items = [ev(1), ev(2), ev(3, 'alert', { severity: 'critical', title: 'x' })];
  let m = notes.marksOf(null, 'e1');
  assert.equal(notes.view(items, m, 10).unread, 3);
  m = notes.markAllRead(m, items);
  const more = items.concat([ev(4)]);
  assert.equal(notes.view(more, m, 10).unread, 1);
  m = notes.removeOne(m, 2);
  assert.deepEqual(notes.view(more, m, 10).list.map((x) => x.event.seq), [4, 3, 1]);
  assert.deepEqual(notes.view(more, m, 2).list.map((x) => x.event.seq), [4, 3]);
  m = notes.clearAll(m, more);
  assert.deepEqual(notes.view(more, m, 10).list, []);
  assert.equal(notes.marksOf(m, 'other-epoch').cleared_upto, 0);
});

test('transfers: a finished one fades, then leaves; ETA counts down from its report', () => {
  const at = Date.parse('2026-11-26T14:00:00Z');
  const t = (state, eta) => ({ transfer: state, state, bytes: 5, total: 10, eta_s: eta, updated: '2026-11-26T14:00:00.000Z', finished: state === 'running' ? null : '2026-11-26T14:00:00.000Z' });
  const list = [t('running', 20), t('completed', 0)];
  const v = (s) => transfers.view(list, at + s * 1000, 30, 90, 30);
  assert.deepEqual(v(5).map((x) => [x.state, x.fading]), [['running', false], ['completed', false]]);
  assert.ok(v(5)[0].meta.includes('ETA 15s'));
  assert.equal(v(31)[1].fading, true);
  assert.deepEqual(v(91).map((x) => x.state), ['running']);
});

test('ingest rate: events per second per source over the window, busiest first, old seconds dropped', () => {
  const buckets = new Map();
  ingest.count(buckets, [ev(1, 'x', {}, { source: 'a' }), ev(2, 'x', {}, { source: 'a' }), ev(3, 'x', {}, { source: 'b' })], 100);
  ingest.count(buckets, Array.from({ length: 8 }, (_, i) => ev(4 + i, 'x', {}, { source: 'b' })), 105);
  assert.deepEqual(ingest.rates(buckets, 105, 10, 60).map((r) => [r.source, r.rate, r.share]), [['b', 0.9, 1], ['a', 0.2, 0.2 / 0.9]]);
  assert.deepEqual(ingest.rates(buckets, 112, 10, 60).map((r) => r.source), ['b'], 'second 100 left the 10 s window');
  assert.deepEqual(ingest.rates(buckets, 112, 60, 60).map((r) => [r.source, r.rate]), [['b', 0.15], ['a', 2 / 60]], 'still in the minute');
  assert.deepEqual(ingest.rates(buckets, 200, 10, 60), []);
  assert.equal(buckets.size, 0, 'a silent source is forgotten');
});

test('job rows: epoch, loss, accuracy, ETA counted down, finished time', () => {
  const now = Date.parse('2026-11-26T14:00:10Z');
  const job = { job: 'j', state: 'running', progress: 0.5, epoch: 2, epochs: 4, loss: 0.25, accuracy: 0.9, eta_s: 60, updated: '2026-11-26T14:00:00.000Z' };
  assert.deepEqual(ml.jobView(job, now), { state: 'running', pct: '50%', meta: ['epoch 2/4', 'loss 0.25', 'acc 90.0%', 'ETA 50s'] });
  const done = Object.assign({}, job, { state: 'completed', finished: '2026-11-26T14:00:00.000Z' });
  assert.deepEqual(ml.jobView(done, now).meta.slice(-1), ['completed 10s ago']);
});
