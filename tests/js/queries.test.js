// assets/client/queries.js: the feed's query, live events matched by the server's rules, export links.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Q = require('../../assets/client/queries.js');

const ev = (seq, type = 'notification', data = { level: 'info', title: 't' + seq }, extra = {}) =>
  Object.assign({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('live events are matched by the server\'s rules: type prefixes by whole segments, text in any string value', () => {
  const items = [ev(4), ev(3, 'user.activity', { user: 'ana', action: 'login' }), ev(2, 'ml.model.update', { model: 'm', version: 'v1' })];
  const pick = (prefixes, q) => items.filter((e) => Q.matches(e, prefixes, q)).map((e) => e.seq);
  assert.deepEqual(pick(['ml', 'user']), [3, 2]);
  assert.deepEqual(pick(['notification', 'ml', 'user'], 'ANA'), [3]); // a string in data, any case
  assert.deepEqual(pick(['notification', 'ml', 'user'], 'model.upd'), [2]); // the type
  assert.deepEqual(pick(['notification', 'ml', 'user'], 'v1 '), [2]); // trimmed, as the server's q
  assert.deepEqual(pick(['notification', 'ml', 'user'], 'version'), []); // keys never match
  assert.deepEqual(pick(['notification', 'ml', 'user'], 'api'), [4, 3, 2]); // the source
  assert.deepEqual(pick(['mlx', 'use']), []); // whole segments only
  assert.deepEqual(pick([]), []);
  assert.equal(Q.textMatches(ev(5, 'x', { deep: { list: ['Needle'] } }), 'needle'), true, 'nested values are searched');
});

test('the feed\'s query: system means status and health, never the samples; no chip ticked asks for nothing', () => {
  assert.deepEqual(Q.feedTypes(['system', 'ml']), ['system.status', 'system.health', 'ml']);
  assert.equal(Q.feedQuery(['system', 'ml'], ' disk full '), 'type=system.status&type=system.health&type=ml&q=disk%20full');
  assert.equal(Q.feedQuery([], ''), 'type=none.selected'); // nothing, not everything
});

test('export links: the feed says system, the link asks for status and health, never the samples', () => {
  const url = Q.feedExportUrl(['system', 'ml'], ' gpu ', {});
  assert.equal(url, '/api/events/export?type=system.status&type=system.health&type=ml&q=gpu&format=csv');
  assert.equal(Q.feedExportUrl(['ml'], '', { before: 42, format: 'jsonl' }), '/api/events/export?type=ml&before=42&format=jsonl');
  assert.match(Q.feedExportUrl([], ''), /type=none\.selected/);
  assert.equal(Q.metricsExportUrl({ series: ['a', 'a', 'b'], since: 300 }), '/api/metrics/export?series=a&series=b&since=300&format=csv&layout=long');
  assert.equal(Q.query({ a: 'x y', b: [1, 2], c: '', d: null }), 'a=x%20y&b=1&b=2');
});
