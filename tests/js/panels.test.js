// The panels' pure parts: notification marks, transfers fading, ingest rates, job rows.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const notes = require('../../assets/client/panel_notifications.js');
const transfers = require('../../assets/client/panel_transfers.js');
const ingest = require('../../assets/client/panel_ingest.js');
const ml = require('../../assets/client/panel_ml.js');
const charts = require('../../assets/client/panel_charts.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('charts: live points continue a trace strictly after its last, with a null across an outage', () => {
  const t = (s) => '2026-11-26 14:00:' + String(s).padStart(2, '0') + '.000';
  const recent = [[t(1), 1], [t(2), 2], [t(3), 3], [t(2), 9], [t(3), 3], [t(20), 20], [t(21), 21]];
  const c = charts.continuation(recent, t(2), 2, 1);
  assert.deepEqual(c.x, [t(3), '2026-11-26 14:00:11.500', t(20), t(21)]); // nothing twice, nothing backwards
  assert.deepEqual(c.y, [3, null, 20, 21]);
  assert.deepEqual(charts.continuation(recent, t(21), 21, 1), { x: [], y: [] });
  assert.deepEqual(charts.continuation(recent, t(2), 2, 10).y, [3, 20, 21]); // a 17 s hole in a 10 s series is no outage
});

test('charts: markers only for a trace holding a point alone between breaks', () => {
  assert.equal(charts.modeFor([1, 2, 3]), 'lines');
  assert.equal(charts.modeFor([1, 2, null, 4, 5]), 'lines', 'a break between two runs of points: the line shows both');
  assert.equal(charts.modeFor([1, 2, null, 4, null, 6, 7]), 'lines+markers', 'the 4 alone between two breaks');
  assert.equal(charts.modeFor([1, null, 3, 4]), 'lines+markers', 'alone at the start');
  assert.equal(charts.modeFor([1, 2, null, 4]), 'lines+markers', 'alone at the end (the first point after an outage)');
  assert.equal(charts.modeFor([7]), 'lines+markers');
  assert.equal(charts.modeFor([]), 'lines');
  assert.equal(charts.modeFor([null, null]), 'lines');
});

test('jobs: rows ordered by run, not by last report; stalled after running', () => {
  const j = (job, state, started) => ({ job, state, started: '2026-11-26T14:00:' + started + '.000Z' });
  const order = ml.displayOrder([j('a', 'running', '01'), j('old', 'completed', '09'), j('b', 'stalled', '05'), j('c', 'running', '03')]);
  assert.deepEqual(order.map((x) => x.job), ['c', 'a', 'b', 'old']);
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

test('alerts card: refreshes only while in view and the tab shown, at once when it shows', () => {
  const alerts = require('../../assets/client/panel_alerts.js');
  const log = [];
  let seen = null;
  let tab = null;
  let hidden = false;
  const s = alerts.follow({
    observe: (fn) => { seen = fn; },
    onTabChange: (fn) => { tab = fn; },
    hidden: () => hidden,
    setPolling: (on) => log.push(on ? 'on' : 'off'),
    refresh: () => log.push('refresh'),
  });
  assert.deepEqual(log, ['off'], 'below the fold at boot: no refresh every 5 s');
  seen(true);
  assert.deepEqual(log, ['off', 'on', 'refresh']);
  seen(true);
  assert.deepEqual(log.length, 3, 'no change, nothing written');
  hidden = true;
  tab();
  seen(false);
  hidden = false;
  tab();
  assert.deepEqual(log, ['off', 'on', 'refresh', 'off'], 'a hidden tab or a card out of view: off once');
  seen(true);
  assert.deepEqual(log.slice(-2), ['on', 'refresh']);
  assert.equal(s.polling, true);
});
