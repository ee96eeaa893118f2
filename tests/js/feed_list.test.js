// assets/client/feed_list.js: the feed's rows of one server query, its paging cursor and its count.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const L = require('../../assets/client/feed_list.js');

const ev = (seq, type = 'notification') => ({ seq, type, data: { level: 'info', title: 't' + seq }, source: 'api', time: '2026-11-26T14:00:00.000Z' });
const seqs = (list) => list.feed.map((e) => e.seq);

test('rows: newest first, no duplicates, capped', () => {
  let items = L.insertNewestFirst([], [ev(1), ev(2)], 3);
  items = L.insertNewestFirst(items, [ev(2), ev(3), ev(4)], 3);
  assert.deepEqual(items.map((e) => e.seq), [4, 3, 2]);
  assert.deepEqual(L.insertNewestFirst(items, [ev(1)], 0).map((e) => e.seq), [4, 3, 2, 1], '0: no cap');
});

test('live rows beyond the cap push the oldest out, and "Load older" carries on below the oldest kept', () => {
  const list = L.create(3);
  L.takeNewest(list, { events: [], more: false, matching: 2, total: 2, last_seq: 2 }, [ev(2), ev(1)], 3);
  assert.equal(list.more, false);
  L.addLive(list, [ev(3), ev(4)]);
  assert.deepEqual(seqs(list), [4, 3, 2]);
  assert.deepEqual([list.more, list.next], [true, 2]);
  L.takeOlder(list, { more: false }, [ev(1)]);
  assert.deepEqual(seqs(list), [4, 3, 2, 1]);
  assert.equal(list.cap, 4, 'an older page widens the cap: the next live row does not push it out again');
  assert.deepEqual([list.more, list.next], [false, null]);
});

test('a new query keeps the live rows that came while it was asked, replacing the older ones', () => {
  const list = L.create(50);
  list.feed = [ev(12), ev(11), ev(5)];
  L.startQuery(list, 50);
  L.takeNewest(list, { more: true, next_before: 7 }, [ev(10), ev(9), ev(8)], 11);
  assert.deepEqual(seqs(list), [12, 11, 10, 9, 8]);
  assert.deepEqual([list.more, list.next], [true, 7]);
});

test('the count: every live event after the server\'s last_seq counts once, also those seen while the query was in flight', () => {
  const list = L.create(50);
  L.startQuery(list, 50);
  L.countLive(list, 100, true); // counted by the server already (last_seq 101)
  L.countLive(list, 102, true);
  L.countLive(list, 103, false);
  assert.equal(list.count, null, 'no count before the answer');
  L.takeNewest(list, { matching: 10, total: 40, last_seq: 101 }, [], 101);
  assert.deepEqual(list.count, { matching: 11, total: 42, exact: true });
  assert.equal(list.inflight, null);
  L.countLive(list, 104, true);
  L.countLive(list, 101, true); // at or below last_seq: already in the server's count
  assert.deepEqual(list.count, { matching: 12, total: 43, exact: true });
  L.takeOlder(list, { more: false }, []); // an older page carries no count: the count stays
  assert.deepEqual(list.count, { matching: 12, total: 43, exact: true });
});

test('the count says n of N matching from the server, and when its search stopped early', () => {
  assert.equal(L.countText({ matching: 40, total: 28554, exact: true }, true, '0'), '40 of 28,554 matching');
  assert.equal(L.countText({ matching: 12, total: 900000, exact: false }, true, '0'), '≥ 12 of 900,000 matching (search stopped early)');
  assert.equal(L.countText({ matching: 1234, total: 5000, exact: true }, false, '0'), '1,234');
  assert.equal(L.countText(null, true, '7'), '7');
});

test('with no rows the feed says why: searching, a partial search, or nothing matching', () => {
  const list = L.create(50);
  assert.equal(L.emptyText(list, true, false), 'Searching the history…');
  assert.equal(L.emptyText(list, false, true), 'No event matches the filter');
  assert.equal(L.emptyText(list, false, false), '', 'no filter, no events: the empty state says nothing more');
  L.takeAnswer(list, { partial: true });
  assert.match(L.emptyText(list, false, true), /"Load older" searches on/);
  list.feed = [ev(1)];
  assert.equal(L.emptyText(list, false, true), '');
});
