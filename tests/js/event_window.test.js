// assets/client/event_window.js: the one merge, lost frames, per-panel cursors (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const EW = require('../../assets/client/event_window.js');

const ev = (seq) => ({ seq, type: 'notification', data: {} });
const seqs = (list) => list.map((e) => e.seq);

test('merge keeps only seq above the last merged, in seq order, once each', () => {
  const w = EW.create(100);
  assert.deepEqual(seqs(w.merge([ev(2), ev(1), ev(3), ev(2)])), [1, 2, 3]);
  assert.deepEqual(seqs(w.merge([ev(3), ev(2), ev(5), ev(4)])), [4, 5]);
  assert.deepEqual(w.merge([{ type: 'no seq' }, null]), []);
  assert.equal(w.lastSeq, 5);
});

test('a socket replay overlapping a poll answer shows every event once', () => {
  const w = EW.create(100);
  w.advanceTo(10);
  const shown = [];
  for (const batch of [[11, 12, 13], [11, 12, 13, 14], [15]]) shown.push(...seqs(w.merge(batch.map(ev))));
  assert.deepEqual(shown, [11, 12, 13, 14, 15]);
});

test('a jump in the frame counter is a lost frame; a new connection counts from 1 again', () => {
  const w = EW.create(10);
  assert.deepEqual([1, 2, 4, 5].map((n) => w.frame(n)), ['ok', 'ok', 'lost', 'ok']);
  assert.equal(w.info.lostFrames, 1);
  w.newConnection();
  assert.equal(w.frame(1), 'ok');
  assert.equal(w.frame(undefined), 'ok', 'hello frames carry no number');
});

test('each panel takes what is new to it by its own cursor, whenever it runs', () => {
  const w = EW.create(100);
  w.merge([1, 2, 3].map(ev));
  assert.deepEqual(seqs(w.take('feed')), [1, 2, 3]);
  w.cursor('charts', 2);
  w.merge([4, 5].map(ev));
  assert.deepEqual(seqs(w.take('charts')), [3, 4, 5], 'a panel that started at the boot seq');
  assert.deepEqual(seqs(w.take('feed')), [4, 5], 'two merges before the feed ran: nothing lost');
  assert.deepEqual(w.take('feed'), [], 'nothing twice');
});

test('the window keeps its newest events (cut in chunks), never less than a whole delivery', () => {
  const w = EW.create(4);
  w.merge([1, 2, 3, 4, 5].map(ev));
  assert.deepEqual(seqs(w.info.events), [1, 2, 3, 4, 5], 'within the slack of a quarter');
  w.merge([ev(6)]);
  assert.deepEqual(seqs(w.info.events), [3, 4, 5, 6]);
  w.merge([7, 8, 9, 10, 11, 12, 13].map(ev));
  assert.deepEqual(seqs(w.info.events), [7, 8, 9, 10, 11, 12, 13]);
  assert.equal(EW.firstAfter(w.info.events, 9), 3);
});

const R = require('../../assets/client/reset.js');

test('reset: a new epoch or a server behind the page means reload; at most 3 reloads a minute', () => {
  assert.equal(R.reason({ epoch: 'a', lastSeq: 5 }, { epoch: 'a', last_seq: 9 }), null);
  assert.match(R.reason({ epoch: 'a', lastSeq: 5 }, { epoch: 'b', last_seq: 9 }), /new epoch/);
  assert.match(R.reason({ epoch: 'a', lastSeq: 50 }, { epoch: 'a', last_seq: 9 }), /fewer events/);
  let history = [];
  for (let i = 0; i < 3; i += 1) {
    const v = R.allowed(history, 1000 + i);
    assert.ok(v.ok);
    history = v.history;
  }
  assert.equal(R.allowed(history, 2000).ok, false, 'a fourth reload within the minute waits');
  assert.equal(R.allowed(history, 61500).ok, true, 'a minute later it may again');
});
