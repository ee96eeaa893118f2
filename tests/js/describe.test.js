// assets/client/describe.js: titles, levels, actors, series points of events (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const E = require('../../assets/client/describe.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('titles are built from data, as plain text', () => {
  assert.equal(E.describe(ev(1, 'user.activity', { user: 'ana', action: 'exported', target: 'a.csv' })).title, 'ana exported a.csv');
  const training = E.describe(ev(1, 'ml.training.progress', { job: 'bert', progress: 0.5, state: 'running', epoch: 2, epochs: 4, loss: 0.25 }));
  assert.equal(training.title, 'bert: running · epoch 2/4 · 50%');
  assert.equal(training.detail, 'loss 0.25');
  assert.equal(E.describe(ev(1, 'alert', { severity: 'critical', title: 'Down', resolved: true })).title, 'Resolved: Down');
  assert.equal(E.describe(ev(1, 'deploy.finished', { title: 'Deployed', env: 'prod' })).title, 'Deployed');
  assert.deepEqual(E.describe(ev(1, 'file.upload.progress', { name: 'a.bin', bytes: 500, total: 2000, state: 'running' })),
    { title: 'Upload a.bin 25%', detail: '500 B of 2.0 kB' });
  const html = E.describe(ev(1, 'notification', { level: 'info', title: '<img src=x onerror=alert(1)>' }));
  assert.equal(html.title, '<img src=x onerror=alert(1)>', 'text stays text; painting never parses it');
  assert.equal(E.actorOf(ev(1, 'plugin.status', { plugin: 'p', state: 'active' }, { source: 'plugins' })), 'plugins');
  assert.equal(E.actorOf(ev(1, 'user.activity', { user: 'ana', action: 'x' })), 'ana');
});

test('categories: the first segment of the type, with an icon (a default for unknown ones)', () => {
  assert.equal(E.categoryOf('ml.training.progress'), 'ml');
  assert.equal(E.categoryOf(''), 'other');
  assert.equal(E.categoryIcon('ml'), 'brain');
  assert.equal(E.categoryIcon('deploy'), 'circle-dot');
});

test('levels: alert severities map onto notification levels; errors stay', () => {
  assert.equal(E.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a' })), 'error');
  assert.equal(E.levelOf(ev(1, 'alert', { severity: 'critical', title: 'a', resolved: true })), 'success');
  assert.equal(E.levelOf(ev(1, 'notification', { level: 'bogus', title: 'a' })), 'info');
  assert.equal(E.levelIcon('error'), 'circle-x');
  assert.equal(E.isSticky(ev(1, 'alert', { severity: 'critical', title: 'a' })), true);
  assert.equal(E.isSticky(ev(1, 'notification', { level: 'warning', title: 'a' })), false);
  assert.equal(E.isNotice(ev(1, 'alert')), true);
  assert.equal(E.isNotice(ev(1, 'notification.extra')), false);
});

test('series points of every numeric event type', () => {
  assert.deepEqual(E.seriesPoints(ev(1, 'system.metrics', { 'cpu.percent': 12.5, bad: 'x' })), { 'cpu.percent': 12.5 });
  assert.deepEqual(E.seriesPoints(ev(1, 'ml.training.progress', { job: 'j', progress: 0.5, state: 'running', loss: 1 })), { 'ml.j.loss': 1, 'ml.j.progress': 0.5 });
  assert.deepEqual(E.seriesPoints(ev(1, 'notification', { level: 'info', title: 'a' })), {});
});
