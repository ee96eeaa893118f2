// The panels painted straight into the DOM (presence, plugins), in a jsdom page with the real client's
// ctx: events go through the one merge (client.js deliver: scheduler.js), the live state folds them (live_state.js),
// and the panel paints its container.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Live = require('../../assets/client/live_state.js');
const presence = require('../../assets/client/panel_presence.js');
const plugins = require('../../assets/client/panel_plugins.js');
const { page, deliver, ago, NOW } = require('./panel_page.js');

const CONTAINERS = '<div id="presence"></div><span id="presence-count"></span><div id="plugins"></div><span id="plugins-count"></span>';
const HOSTILE = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '"><svg onload=alert(1)>'];

const rowsOf = (id) => Array.from(document.getElementById(id).children);
const text = (id) => document.getElementById(id).textContent;
const users = () => rowsOf('presence').map((r) => r.dataset.user + ':' + r.dataset.state);

test('presence: online, then away, then offline, each by name; the count of those online', () => {
  const { ctx } = page(CONTAINERS);
  deliver([
    ['user.presence', { user: 'zoe', state: 'online' }, 600],
    ['user.presence', { user: 'ana', state: 'offline' }, 500],
    ['user.presence', { user: 'bob', state: 'away' }, 300],
    ['user.activity', { user: 'cy', action: 'deploy', target: 'api' }, 30], // someone acting is there: online
    ['user.presence', { user: 'abe', state: 'online' }, 20],
  ]);
  presence.paint(ctx);
  assert.deepEqual(users(), ['abe:online', 'cy:online', 'zoe:online', 'bob:away', 'ana:offline']);
  assert.equal(text('presence-count'), '3 online');
  const [, cy, , bob] = rowsOf('presence');
  assert.equal(cy.querySelector('.row-sub').textContent, 'deploy api', 'what they last did');
  assert.equal(cy.querySelector('.row-time').textContent, 'online');
  assert.equal(bob.querySelector('.row-time').textContent, 'away · 5m ago');
  assert.ok(bob.classList.contains('s-away'));
});

test('presence: a user whose state changes keeps their row (the same node), moved to its place', () => {
  const { ctx } = page(CONTAINERS);
  deliver([['user.presence', { user: 'ana', state: 'online' }, 60], ['user.presence', { user: 'bob', state: 'away' }, 60]]);
  presence.paint(ctx);
  const [ana, bob] = rowsOf('presence');
  deliver([['user.presence', { user: 'ana', state: 'offline' }, 5], ['user.presence', { user: 'cy', state: 'online' }, 5]]);
  presence.paint(ctx);
  assert.deepEqual(users(), ['cy:online', 'bob:away', 'ana:offline']);
  assert.equal(rowsOf('presence')[2], ana, 'updated in place: a row under the pointer is never swapped');
  assert.equal(rowsOf('presence')[1], bob);
  assert.ok(ana.classList.contains('s-offline') && !ana.classList.contains('s-online'));
  assert.equal(text('presence-count'), '1 online');
});

test("presence: 'Nobody seen yet' until someone shows; the seeded state first, live events on it", () => {
  const { ctx } = page(CONTAINERS);
  presence.paint(ctx);
  assert.equal(text('presence'), 'Nobody seen yet');
  assert.equal(text('presence-count'), '');
  // the boot: GET /api/status state, then the live events after its seq (client.js loadInitial)
  ctx.live = Live.seed({ last_seq: 0, presence: [{ user: 'li', state: 'away', last_action: null, since: ago(900), last_seen: ago(900) }] });
  deliver([['user.presence', { user: 'mo', state: 'online' }, 1]]);
  presence.paint(ctx);
  assert.deepEqual(users(), ['mo:online', 'li:away']);
  assert.equal(document.querySelector('#presence .empty-state'), null, 'the empty state went');
});

test('presence: names and actions with markup stay text', () => {
  const { ctx } = page(CONTAINERS);
  deliver(HOSTILE.map((s, i) => ['user.activity', { user: s, action: s }, i]));
  presence.paint(ctx);
  assert.equal(document.querySelectorAll('#presence img, #presence script, #presence svg').length, 0);
  assert.deepEqual(rowsOf('presence').map((r) => r.querySelector('.row-name').textContent).sort(), HOSTILE.slice().sort());
  assert.deepEqual(rowsOf('presence').map((r) => r.querySelector('.row-sub').textContent).sort(), HOSTILE.slice().sort());
});

test('presence: the clock refreshes "away · 5m ago" every 10 s, not every second', () => {
  const { ctx } = page(CONTAINERS);
  deliver([['user.presence', { user: 'bob', state: 'away' }, 300]]);
  presence.paint(ctx);
  ctx.clockOffsetMs += 10 * 60 * 1000; // ten minutes later
  presence.tick(ctx, 14);
  assert.equal(document.querySelector('#presence .row-time').textContent, 'away · 5m ago', 'not its second');
  presence.tick(ctx, 13);
  assert.equal(document.querySelector('#presence .row-time').textContent, 'away · 15m ago');
  assert.equal(presence.when({ state: 'online', last_seen: ago(999) }, NOW), 'online');
  assert.ok(presence.wants({ type: 'user.presence' }) && presence.wants({ type: 'user.activity' }));
  assert.ok(!presence.wants({ type: 'plugin.status' }));
});

test('plugins: by name, with version, state and message; "n/m active"', () => {
  const { ctx } = page(CONTAINERS);
  deliver([
    ['plugin.update', { plugin: 's3-sync', version: '2.1.0' }, 120],
    ['plugin.status', { plugin: 's3-sync', state: 'active', message: 'synced 12 files' }, 100],
    ['plugin.status', { plugin: 'billing', state: 'error', message: 'no credentials' }, 50],
    ['plugin.update', { plugin: 'audit', version: '0.9' }, 40],
  ]);
  plugins.paint(ctx);
  const rows = rowsOf('plugins');
  assert.deepEqual(rows.map((r) => [r.dataset.plugin, r.dataset.state, r.dataset.version]),
    [['audit', 'unknown', '0.9'], ['billing', 'error', ''], ['s3-sync', 'active', '2.1.0']]);
  const s3 = rows[2];
  assert.equal(s3.querySelector('.version').textContent, '2.1.0');
  assert.equal(s3.querySelector('.state-badge').textContent, 'active');
  assert.equal(s3.querySelector('.row-sub').textContent, 'synced 12 files', 'the message of its last report');
  assert.equal(s3.querySelector('.row-time').textContent, '1m ago', 'since its last report');
  assert.equal(rows[1].querySelector('.version'), null, 'no version reported: none shown');
  assert.ok(rows[1].classList.contains('s-error'));
  assert.equal(text('plugins-count'), '1/3 active');
});

test('plugins: a repaint rebuilds only the row that changed', () => {
  const { ctx } = page(CONTAINERS);
  deliver([['plugin.status', { plugin: 'a', state: 'active' }, 5], ['plugin.status', { plugin: 'b', state: 'active' }, 5]]);
  plugins.paint(ctx);
  const [a, b] = rowsOf('plugins');
  deliver([['plugin.status', { plugin: 'b', state: 'disabled' }, 1]]); // its state alone changed
  plugins.paint(ctx);
  assert.equal(rowsOf('plugins')[0], a, 'unchanged: the same node');
  assert.notEqual(rowsOf('plugins')[1], b);
  assert.equal(rowsOf('plugins')[1].dataset.state, 'disabled');
  assert.equal(text('plugins-count'), '1/2 active');
});

test('plugins: "No plugins reported" when none; markup in a message stays text; the clock refreshes times', () => {
  const { ctx } = page(CONTAINERS);
  plugins.paint(ctx);
  assert.equal(text('plugins'), 'No plugins reported');
  assert.equal(text('plugins-count'), '');
  deliver(HOSTILE.map((s, i) => ['plugin.status', { plugin: 'p' + i, state: 'error', message: s }, 30]));
  plugins.paint(ctx);
  assert.equal(document.querySelectorAll('#plugins img, #plugins script, #plugins svg').length, 0);
  assert.deepEqual(rowsOf('plugins').map((r) => r.querySelector('.row-sub').textContent), HOSTILE);
  assert.deepEqual(rowsOf('plugins').map((r) => r.querySelector('.row-sub').title), HOSTILE);
  ctx.clockOffsetMs += 5 * 60 * 1000;
  plugins.tick(ctx, 3);
  assert.equal(document.querySelector('#plugins .row-time').textContent, '30s ago', 'not its second');
  plugins.tick(ctx, 17);
  assert.equal(document.querySelector('#plugins .row-time').textContent, '5m ago');
});
