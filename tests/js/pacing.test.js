// Unit tests of the live client's pacing helpers (one panels' run per screen frame, Dash's undo history kept short): node --test tests/js/
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const H = require('../../assets/mova_helpers.js');

test('coalesce: requests before the scheduled run join it; one run each time, told how many it absorbed', () => {
  const queued = [];
  const runs = [];
  const request = H.coalesce((n) => runs.push(n), (fn) => queued.push(fn));
  assert.equal(request(), true, 'the first request schedules');
  assert.equal(request(), false);
  assert.equal(request(), false);
  assert.equal(queued.length, 1, 'one scheduled run for three requests');
  assert.deepEqual(runs, [], 'nothing runs before the scheduler says so');
  queued.shift()();
  assert.deepEqual(runs, [3]);
  assert.equal(request(), true, 'after a run, the next request schedules again');
  queued.shift()();
  assert.deepEqual(runs, [3, 1]);
});

test('coalesce: a request made while the run runs schedules the next run (nothing is dropped)', () => {
  const queued = [];
  const runs = [];
  let request = null;
  request = H.coalesce((n) => {
    runs.push(n);
    if (runs.length === 1) request(); // e.g. a panel that delivers while it renders
  }, (fn) => queued.push(fn));
  request();
  queued.shift()();
  assert.equal(queued.length, 1, 'the request made during the run got its own run');
  queued.shift()();
  assert.deepEqual(runs, [1, 1]);
});

test('trimHistory keeps the newest entries of Dash\'s undo history, in place', () => {
  const past = Array.from({ length: 30 }, (_, i) => ({ id: 'x', props: { n: i } }));
  const history = { past, present: {}, future: [] };
  assert.equal(H.trimHistory(history, 20), 10);
  assert.equal(history.past, past, 'the same array, cut in place');
  assert.deepEqual(history.past.map((e) => e.props.n), Array.from({ length: 20 }, (_, i) => i + 10));
  assert.equal(H.trimHistory(history, 20), 0, 'already short');
  assert.equal(H.trimHistory(history, 0), 20);
  assert.deepEqual(history.past, []);
  assert.equal(H.trimHistory(null, 5), 0);
  assert.equal(H.trimHistory({}, 5), 0);
});
