// Unit tests of the pure helpers of the browser live client: node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const H = require('../../assets/mova_helpers.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('backoff doubles from 1 s to 30 s over 10 tries, then stays at 30 s', () => {
  const mid = () => 0.5; // no jitter at the middle of the spread
  assert.deepEqual([1, 2, 3, 4, 5, 6, 10].map((a) => H.backoffDelay(a, {}, mid)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(H.backoffDelay(11, {}, mid), 30000);
  assert.equal(H.backoffDelay(500, {}, mid), 30000);
});

test('backoff jitter spreads delays by +-20 % and never passes 30 s', () => {
  assert.equal(H.backoffDelay(1, {}, () => 0), 800);
  assert.equal(H.backoffDelay(1, {}, () => 1), 1200);
  assert.equal(H.backoffDelay(3, {}, () => 0), 3200);
  assert.equal(H.backoffDelay(3, {}, () => 1), 4800);
  for (let a = 1; a < 30; a += 1) {
    for (const r of [0, 0.3, 0.99, 1]) {
      const d = H.backoffDelay(a, {}, () => r);
      assert.ok(d >= 800 && d <= 30000, `attempt ${a} rand ${r} gave ${d}`);
    }
  }
  assert.ok(H.backoffDelay(12, {}, () => 0) >= 24000, 'after 10 tries it keeps trying about every 30 s');
});

test('merge keeps only seq above the last applied, in seq order, once each', () => {
  const r = H.mergeBySeq(5, [ev(7), ev(4), ev(6), ev(7), ev(5), ev(8)]);
  assert.deepEqual(r.fresh.map((e) => e.seq), [6, 7, 8]);
  assert.equal(r.lastSeq, 8);
  const again = H.mergeBySeq(r.lastSeq, [ev(7), ev(8)]);
  assert.deepEqual(again.fresh, []);
  assert.equal(again.lastSeq, 8);
  assert.deepEqual(H.mergeBySeq(0, null).fresh, []);
  assert.deepEqual(H.mergeBySeq(0, [{ type: 'x' }, ev(1)]).fresh.map((e) => e.seq), [1]);
});

test('a socket replay overlapping a poll response shows every event once', () => {
  let last = 10;
  const applied = [];
  const apply = (events) => {
    const r = H.mergeBySeq(last, events);
    last = r.lastSeq;
    applied.push(...r.fresh.map((e) => e.seq));
  };
  apply([11, 12, 13].map((s) => ev(s))); // poll while the socket was down
  apply([11, 12, 13, 14].map((s) => ev(s))); // the socket's replay after=10 (asked before the poll landed)
  apply([15].map((s) => ev(s)));
  assert.deepEqual(applied, [11, 12, 13, 14, 15]);
});

test('a jump in the frame counter means a lost frame', () => {
  assert.equal(H.frameStatus(0, 1), 'ok');
  assert.equal(H.frameStatus(3, 4), 'ok');
  assert.equal(H.frameStatus(3, 5), 'lost');
  assert.equal(H.frameStatus(0, 2), 'lost');
  assert.equal(H.frameStatus(3, undefined), 'ok');
});

test('the store window slides but always holds a whole delivery', () => {
  const w = H.slideWindow([ev(1), ev(2), ev(3)], [ev(4), ev(5)], 4);
  assert.deepEqual(w.map((e) => e.seq), [2, 3, 4, 5]);
  const big = H.slideWindow([ev(1)], [ev(2), ev(3), ev(4)], 2);
  assert.deepEqual(big.map((e) => e.seq), [2, 3, 4]);
  assert.deepEqual(H.after(w, 3).map((e) => e.seq), [4, 5]);
});

test('the window grows in place and is trimmed in chunks, never below max or a whole delivery', () => {
  const w = [];
  const same = H.appendWindow(w, [ev(1), ev(2), ev(3), ev(4)], 4);
  assert.equal(same, w, 'appended in place');
  assert.deepEqual(w.map((e) => e.seq), [1, 2, 3, 4]);
  H.appendWindow(w, [ev(5)], 4); // 5 = max + a quarter: no cut yet
  assert.deepEqual(w.map((e) => e.seq), [1, 2, 3, 4, 5]);
  H.appendWindow(w, [ev(6)], 4); // past the slack: back to max
  assert.deepEqual(w.map((e) => e.seq), [3, 4, 5, 6]);
  const big = H.appendWindow([ev(1), ev(2)], [ev(3), ev(4), ev(5), ev(6), ev(7), ev(8)], 2);
  assert.deepEqual(big.map((e) => e.seq), [3, 4, 5, 6, 7, 8], 'a delivery larger than max is kept whole');
  assert.deepEqual(H.appendWindow(null, null, 3), []);
});

test('afterSorted finds a cursor by binary search, like after() on a seq-ordered window', () => {
  const w = [ev(3), ev(5), ev(6), ev(9)];
  for (const c of [0, 2, 3, 4, 5, 6, 8, 9, 10, undefined]) {
    assert.deepEqual(H.afterSorted(w, c).map((e) => e.seq), H.after(w, c).map((e) => e.seq), 'cursor ' + c);
  }
  assert.deepEqual(H.afterSorted([], 1), []);
  assert.deepEqual(H.afterSorted(null, 1), []);
});

test('relative time', () => {
  const now = Date.parse('2026-11-26T14:00:00Z');
  const ago = (s) => new Date(now - s * 1000).toISOString();
  assert.equal(H.relativeTime(ago(0), now), 'just now');
  assert.equal(H.relativeTime(ago(9), now), 'just now');
  assert.equal(H.relativeTime(ago(-30), now), 'just now', 'a clock ahead of ours is not "in the future"');
  assert.equal(H.relativeTime(ago(42), now), '42s ago');
  assert.equal(H.relativeTime(ago(5 * 60 + 10), now), '5m ago');
  assert.equal(H.relativeTime(ago(3 * 3600), now), '3h ago');
  assert.equal(H.relativeTime(ago(2 * 86400 + 5), now), '2d ago');
  assert.equal(H.relativeTime('not a time', now), '');
});

test('local time strings for Plotly keep milliseconds', () => {
  const s = H.localTime('2026-11-26T14:00:01.250Z');
  assert.match(s, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:01\.250$/);
  assert.equal(H.localTime('nope'), null);
});

test('titles are built from data, as plain text', () => {
  assert.equal(H.describe(ev(1, 'user.activity', { user: 'ana', action: 'exported', target: 'a.csv' })).title, 'ana exported a.csv');
  const training = H.describe(ev(1, 'ml.training.progress', { job: 'bert', progress: 0.5, state: 'running', epoch: 2, epochs: 4, loss: 0.25 }));
  assert.equal(training.title, 'bert: running · epoch 2/4 · 50%');
  assert.equal(training.detail, 'loss 0.25');
  assert.equal(H.describe(ev(1, 'file.operation', { op: 'delete', path: '/a', status: 'failed' })).title, 'delete /a failed');
  assert.equal(H.describe(ev(1, 'alert', { severity: 'critical', title: 'Down', resolved: true })).title, 'Resolved: Down');
  assert.equal(H.describe(ev(1, 'deploy.finished', { title: 'Deployed', env: 'prod' })).title, 'Deployed');
  const html = H.describe(ev(1, 'notification', { level: 'info', title: '<img src=x onerror=alert(1)>' }));
  assert.equal(html.title, '<img src=x onerror=alert(1)>', 'text stays text; rendering never parses it');
  assert.equal(H.actorOf(ev(1, 'user.activity', { user: 'li', action: 'x' })), 'li');
  assert.equal(H.actorOf(ev(1, 'plugin.status', { plugin: 'p', state: 'active' }, { source: 'plugins' })), 'plugins');
});

test('levels: alert severities map onto notification levels; errors stay', () => {
  assert.equal(H.levelOf(ev(1, 'notification', { level: 'success', title: 'a' })), 'success');
  assert.equal(H.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a' })), 'error');
  assert.equal(H.levelOf(ev(1, 'alert', { severity: 'warning', title: 'a' })), 'warning');
  assert.equal(H.levelOf(ev(1, 'alert', { severity: 'info', title: 'a' })), 'info');
  assert.equal(H.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a', resolved: true })), 'success');
  assert.equal(H.isSticky(ev(1, 'notification', { level: 'error', title: 'a' })), true);
  assert.equal(H.isSticky(ev(1, 'alert', { severity: 'critical', title: 'a' })), true);
  assert.equal(H.isSticky(ev(1, 'notification', { level: 'warning', title: 'a' })), false);
});

test('series points of every numeric event type', () => {
  assert.deepEqual(H.seriesPoints(ev(1, 'system.metrics', { 'cpu.percent': 12.5, bad: 'x' })), { 'cpu.percent': 12.5 });
  assert.deepEqual(H.seriesPoints(ev(1, 'ml.training.progress', { job: 'j', progress: 0.5, state: 'running', loss: 1 })), {
    'ml.j.loss': 1,
    'ml.j.progress': 0.5,
  });
  assert.deepEqual(H.seriesPoints(ev(1, 'notification', { level: 'info', title: 'a' })), {});
  assert.equal(H.formatValue(12.345, '%'), '12.3%');
  assert.equal(H.formatValue(1234567, 'B/s'), '1.2 MB/s');
  assert.equal(H.formatValue(undefined, '%'), '—');
});

test('feed: newest first, no duplicates, capped; filter by category and search', () => {
  let items = H.insertNewestFirst([], [ev(1), ev(2, 'ml.model.update', { model: 'm', version: 'v1' })], 3);
  items = H.insertNewestFirst(items, [ev(2), ev(3, 'user.activity', { user: 'ana', action: 'login' }), ev(4)], 3);
  assert.deepEqual(items.map((e) => e.seq), [4, 3, 2]);
  assert.deepEqual(H.feedView(items, ['ml', 'user']).map((e) => e.seq), [3, 2]);
  assert.deepEqual(H.feedView(items, ['notification', 'ml', 'user'], 'ANA').map((e) => e.seq), [3]);
  assert.deepEqual(H.feedView(items, ['notification', 'ml', 'user'], 'model.upd').map((e) => e.seq), [2]);
  assert.deepEqual(H.feedView(items, []).length, 0);
});

test('notification marks: read, remove one, clear all; unread count', () => {
  const items = [ev(1), ev(2), ev(3, 'alert', { severity: 'critical', title: 'x' })];
  let s = H.notifyState(null, 'e1');
  let v = H.notificationView(items, s, 10);
  assert.deepEqual(v.list.map((x) => x.event.seq), [3, 2, 1]);
  assert.equal(v.unread, 3);
  s = H.markAllRead(s, items);
  assert.equal(H.notificationView(items, s, 10).unread, 0);
  const more = items.concat([ev(4)]);
  assert.equal(H.notificationView(more, s, 10).unread, 1);
  s = H.removeNotification(s, 2);
  assert.deepEqual(H.notificationView(more, s, 10).list.map((x) => x.event.seq), [4, 3, 1]);
  assert.deepEqual(H.notificationView(more, s, 2).list.map((x) => x.event.seq), [4, 3], 'at most max kept');
  s = H.clearAll(s, more);
  assert.deepEqual(H.notificationView(more, s, 10).list, []);
  assert.equal(H.notificationView(more.concat([ev(5)]), s, 10).unread, 1);
  assert.equal(H.notifyState(s, 'other-epoch').cleared_upto, 0, 'a new store starts with no marks');
});

test('connection states of the badge', () => {
  const now = 1000000;
  assert.equal(H.connectionState(null), 'connecting');
  assert.equal(H.connectionState({ started: true, attempt: 0 }), 'connecting');
  assert.equal(H.connectionState({ started: true, socketLive: true }), 'live');
  const lost = { started: true, everLive: true, lost: true, attempt: 1, failed: 0, pollOk: null, nextTryAt: now + 2400 };
  assert.equal(H.connectionState(lost), 'reconnecting');
  assert.deepEqual(H.connectionView(lost, now), { state: 'reconnecting', label: 'Reconnecting', icon: 'refresh', detail: 'attempt 1/10 · next try in 3 s' });
  assert.equal(H.connectionState(Object.assign({}, lost, { pollOk: true })), 'polling');
  assert.equal(H.connectionState(Object.assign({}, lost, { pollOk: false, failed: 1 })), 'offline');
  assert.equal(H.connectionState({ started: true, attempt: 3, failed: 3, pollOk: true }), 'polling', 'socket refused, REST fine');
  assert.match(H.connectionView({ started: true, lost: true, attempt: 12, failed: 12, pollOk: false }, now).detail, /^attempt 10\/10\+/);
});
