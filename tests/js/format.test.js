// assets/client/format.js: times, titles, levels, series, export links (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const F = require('../../assets/client/format.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('panels wait for shared beats: every interval that divides another lands on its beats', () => {
  assert.equal(F.untilBeat(1000, 12_345), 655);
  assert.equal(F.untilBeat(1000, 13_000), 1000, 'on a beat: the next one, never a zero wait');
  assert.equal(F.untilBeat(500, 12_345), 155);
  assert.equal(F.untilBeat(2000, 12_345), 1655);
  // from any moment, the 500 ms, 1 s and 2 s panels and the clock all land on the same instants
  for (const now of [0, 1, 499, 999, 1999, 123_456_789]) {
    [500, 1000, 2000].forEach((every) => {
      const at = now + F.untilBeat(every, now);
      assert.equal(at % every, 0);
      assert.ok(at > now && at - now <= every);
    });
  }
});

test('relative time', () => {
  const now = Date.parse('2026-11-26T14:00:00Z');
  const ago = (s) => new Date(now - s * 1000).toISOString();
  assert.equal(F.relativeTime(ago(9), now), 'just now');
  assert.equal(F.relativeTime(ago(-30), now), 'just now', 'a clock ahead of ours is not "in the future"');
  assert.equal(F.relativeTime(ago(42), now), '42s ago');
  assert.equal(F.relativeTime(ago(5 * 60 + 10), now), '5m ago');
  assert.equal(F.relativeTime(ago(3 * 3600), now), '3h ago');
  assert.equal(F.relativeTime(ago(2 * 86400 + 5), now), '2d ago');
  assert.equal(F.relativeTime('not a time', now), '');
  assert.equal(F.duration(75), '1m 15s');
  assert.equal(F.duration(7300), '2h 01m');
});

test('local time strings for Plotly keep milliseconds', () => {
  assert.match(F.localTime('2026-11-26T14:00:01.250Z'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:01\.250$/);
  assert.equal(F.localTime('nope'), null);
});

test('titles are built from data, as plain text', () => {
  assert.equal(F.describe(ev(1, 'user.activity', { user: 'ana', action: 'exported', target: 'a.csv' })).title, 'ana exported a.csv');
  const training = F.describe(ev(1, 'ml.training.progress', { job: 'bert', progress: 0.5, state: 'running', epoch: 2, epochs: 4, loss: 0.25 }));
  assert.equal(training.title, 'bert: running · epoch 2/4 · 50%');
  assert.equal(training.detail, 'loss 0.25');
  assert.equal(F.describe(ev(1, 'alert', { severity: 'critical', title: 'Down', resolved: true })).title, 'Resolved: Down');
  assert.equal(F.describe(ev(1, 'deploy.finished', { title: 'Deployed', env: 'prod' })).title, 'Deployed');
  const html = F.describe(ev(1, 'notification', { level: 'info', title: '<img src=x onerror=alert(1)>' }));
  assert.equal(html.title, '<img src=x onerror=alert(1)>', 'text stays text; painting never parses it');
  assert.equal(F.actorOf(ev(1, 'plugin.status', { plugin: 'p', state: 'active' }, { source: 'plugins' })), 'plugins');
});

test('levels: alert severities map onto notification levels; errors stay', () => {
  assert.equal(F.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a' })), 'error');
  assert.equal(F.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a', resolved: true })), 'success');
  assert.equal(F.isSticky(ev(1, 'alert', { severity: 'critical', title: 'a' })), true);
  assert.equal(F.isSticky(ev(1, 'notification', { level: 'warning', title: 'a' })), false);
});

test('series points of every numeric event type', () => {
  assert.deepEqual(F.seriesPoints(ev(1, 'system.metrics', { 'cpu.percent': 12.5, bad: 'x' })), { 'cpu.percent': 12.5 });
  assert.deepEqual(F.seriesPoints(ev(1, 'ml.training.progress', { job: 'j', progress: 0.5, state: 'running', loss: 1 })), { 'ml.j.loss': 1, 'ml.j.progress': 0.5 });
  assert.deepEqual(F.seriesPoints(ev(1, 'notification', { level: 'info', title: 'a' })), {});
  assert.equal(F.formatValue(1234567, 'B/s'), '1.2 MB/s');
});

test('export links: the feed says system, the link asks for status and health, never the samples', () => {
  const url = F.feedExportUrl(['system', 'ml'], ' gpu ', {});
  assert.equal(url, '/api/events/export?type=system.status&type=system.health&type=ml&q=gpu&format=csv');
  assert.match(F.feedExportUrl([], ''), /type=none\.selected/);
  assert.equal(F.metricsExportUrl({ series: ['a', 'a', 'b'], since: 300 }), '/api/metrics/export?series=a&series=b&since=300&format=csv&layout=long');
});
