// assets/client/panel_feed.js in jsdom: the boot's page, live rows, and a filter change whose query is
// answered after more live events came (the rows and the count stay true). The server's answers are
// given by the test (the browser tests run the real server: tests/browser/test_feed*.py).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { JSDOM } = require('jsdom');

const ids = {
  activity_feed: 'feed', feed_rows: 'rows', feed_empty: 'empty', feed_count: 'count', feed_export: 'export',
  feed_older: 'older', feed_filter: 'filter', feed_search: 'search', feed_live: 'live', feed_live_text: 'live-text',
  feed_new: 'new', feed_new_text: 'new-text',
};
const { window } = new JSDOM(`<!doctype html><div id="feed"><div id="rows"></div></div><div id="empty"></div>
  <span id="count"></span><a id="export" href="/api/events/export?format=csv"></a>`);
global.window = window;
global.document = window.document;
const EventWindow = require('../../assets/client/event_window.js');
const feed = require('../../assets/client/panel_feed.js');

const ev = (seq, type, data = { title: 't' + seq }) => ({ seq, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' });
const asked = [];
let answer = null; // the pending answer to the last GET: the test resolves it
// the store: 1 ml, 2 ml, 3 user, 4 ml, 5 user at boot; pages of at most 3 rows
const ctx = {
  ids, bootSeq: 5, storeCategories: ['ml', 'user'], conn: { state: 'connected', info: {} },
  cfg: { categories: ['system', 'ml', 'user'], feed_excluded_types: ['system.metrics'], feed_max_items: 3 },
  window: EventWindow.create(100), serverNow: () => Date.parse('2026-11-26T14:00:30Z'),
  getJSON: (url) => new Promise((resolve) => { asked.push(url); answer = resolve; }),
};
window.mova = { client: { ctx } };
const settle = () => new Promise((resolve) => setImmediate(resolve));
const rows = () => Array.from(document.querySelectorAll('#rows .feed-item')).map((n) => Number(n.dataset.seq));
const count = () => document.getElementById('count').textContent;
const live = (events) => { ctx.window.merge(events); feed.paint(ctx); };

test('boot page, live rows on top, and a filter whose answer comes after more live events', async () => {
  // the boot's page: the newest events of the unfiltered query, with its count
  const page = feed.history(ctx, '/api/events?before=6');
  assert.equal(asked[0], '/api/events?before=6&count=1&limit=3&type=system.status&type=system.health&type=ml&type=user');
  answer({ events: [ev(5, 'user.activity'), ev(4, 'ml.model.update'), ev(3, 'user.activity')], more: true, next_before: 3, matching: 5, total: 5, last_seq: 5 });
  await page;
  ctx.window.advanceTo(5);
  feed.boot(ctx);
  feed.paint(ctx);
  assert.deepEqual(rows(), [5, 4, 3]);
  assert.equal(count(), '5');

  // live: rows on top, at most 3; the per-second samples are no rows but count toward the total
  live([ev(6, 'ml.training.progress', { job: 'j', state: 'running' }), ev(7, 'system.metrics', { cpu: 1 }), ev(8, 'user.activity')]);
  assert.deepEqual(rows(), [8, 6, 5]);
  assert.equal(count(), '7');

  // "only ml": the shown rows that match stay at once; the server is asked for the page and its count
  feed.callbacks.update(['ml'], '');
  assert.deepEqual(rows(), [6]);
  assert.equal(count(), '…');
  assert.equal(asked[1], '/api/events?count=1&limit=3&before=9&type=ml');
  // more live events before it answers: counted once the answer says up to which seq it counted
  live([ev(9, 'ml.prediction.result', { model: 'm', label: 'cat' }), ev(10, 'user.activity')]);
  assert.deepEqual(rows(), [9, 6]);
  answer({ events: [ev(6, 'ml.training.progress'), ev(4, 'ml.model.update'), ev(2, 'ml.model.update')], more: true, next_before: 2, matching: 4, total: 8, last_seq: 8 });
  await settle();
  assert.deepEqual(rows(), [9, 6, 4, 2], 'the page and the live row that came while it was asked');
  assert.equal(count(), '5 of 10 matching', 'seq 9 (ml) and 10 (user) come after the server\'s last_seq 8');
  assert.equal(document.getElementById('empty').className, 'empty-state feed-empty is-hidden');

  // "Load older" carries on the same query below the page
  const older = feed.callbacks.older(1);
  assert.equal(asked[2], '/api/events?limit=3&before=2&type=ml');
  answer({ events: [ev(1, 'ml.model.update')], more: false });
  await older;
  assert.deepEqual(rows(), [9, 6, 4, 2, 1]);
  assert.equal(count(), '5 of 10 matching', 'an older page leaves the count as it was');

  // the export link: the same query, up to the newest event the page holds
  document.getElementById('export').dispatchEvent(new window.Event('click'));
  assert.equal(document.getElementById('export').getAttribute('href'), '/api/events/export?type=ml&before=11&format=csv');
});
