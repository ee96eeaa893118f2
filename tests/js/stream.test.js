// assets/client/stream.js: frames in order, backfill of lost frames and gaps, resets (node --test tests/js/).
// The REST answers are the shapes of DESIGN.md §3 (GET /api/events, /api/status), served from a list the
// test holds; tests/browser/test_live.py and test_reset.py run the same paths against the real server.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Stream = require('../../assets/client/stream.js');
const EventWindow = require('../../assets/client/event_window.js');

const ev = (seq) => ({ seq, type: 'notification', data: { level: 'info', title: 't' + seq }, source: 'api', time: '2026-12-03T20:00:00Z' });
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => ev(a + i));
const frame = (obj) => JSON.stringify(obj);

/** A stream over a server holding `stored` events; records deliveries, health paints, resets and GETs. */
function harness(stored, epoch = 'e1') {
  const t = { stored, epoch, gets: [], delivered: [], painted: [], resets: [], hellos: [], received: 0 };
  const ctx = {
    window: EventWindow.create(10000), epoch, serverLastSeq: null, clockOffsetMs: 0, healthReports: [], reloading: false,
    conn: { received: () => { t.received += 1; }, hello: (s) => t.hellos.push(s) },
  };
  t.ctx = ctx;
  t.stream = Stream.create(ctx, {
    async getJSON(path) {
      t.gets.push(path);
      const last = t.stored.length ? t.stored[t.stored.length - 1].seq : 0;
      if (path === '/api/status') return { epoch: t.epoch, last_seq: last, health: { state: 'degraded', message: 'disk' } };
      const after = Number(new URL(path, 'http://x').searchParams.get('after'));
      const rest = t.stored.filter((e) => e.seq > after);
      return { events: rest.slice(0, 1000), more: rest.length > 1000, last_seq: last, epoch: t.epoch };
    },
    deliver(events, via) {
      const fresh = ctx.window.merge(events);
      t.delivered.push(...fresh.map((e) => [e.seq, via]));
      return fresh.length;
    },
    markDirty: (name, now) => t.painted.push([name, now]),
    resetPage: (why) => t.resets.push(why),
  });
  return t;
}

test('hello sets the server position, clock and health; events frames merge in order', async () => {
  const t = harness(range(1, 3));
  const serverTime = new Date(Date.now() + 60_000).toISOString();
  t.stream.receive(frame({ kind: 'hello', last_seq: 0, epoch: 'e1', heartbeat_s: 15, server_time: serverTime, health: { state: 'ok' } }));
  t.stream.receive(frame({ kind: 'events', n: 1, events: [ev(1), ev(2)] }));
  await t.stream.receive(frame({ kind: 'events', n: 2, events: [ev(3)] }));
  assert.deepEqual(t.delivered, [[1, 'websocket'], [2, 'websocket'], [3, 'websocket']]);
  assert.deepEqual(t.hellos, [15]);
  assert.ok(Math.abs(t.ctx.clockOffsetMs - 60_000) < 2000, 'the offset to the server clock');
  assert.equal(t.ctx.serverLastSeq, 3, 'raised by the events the page has');
  assert.deepEqual(t.painted, [['health', true]]);
  assert.equal(t.ctx.transport, 'websocket');
  assert.deepEqual(t.gets, [], 'nothing lost: no REST');
  assert.equal(t.received, 3);
});

test('a lost frame is backfilled from REST before the frame that showed it merges, health re-read', async () => {
  const t = harness(range(1, 6));
  t.stream.receive(frame({ kind: 'hello', last_seq: 0, epoch: 'e1' }));
  t.stream.receive(frame({ kind: 'events', n: 1, events: [ev(1)] }));
  // frame 2 (events 2-4) never arrived; frame 3 brings 5 and 6
  await t.stream.receive(frame({ kind: 'events', n: 3, events: [ev(5), ev(6)] }));
  assert.deepEqual(t.delivered.map(([s]) => s), [1, 2, 3, 4, 5, 6], 'every event once, in seq order');
  assert.deepEqual(t.delivered.slice(1).map(([, via]) => via), Array(5).fill('websocket'));
  assert.ok(t.gets.includes('/api/events?limit=1000&after=1'));
  assert.ok(t.gets.includes('/api/status'));
  assert.equal(t.ctx.health.state, 'degraded', 'the health it may have missed too');
  assert.equal(t.ctx.window.info.lostFrames, 1);
});

test('a gap frame (the server dropped a slow socket\'s events) reads them page by page', async () => {
  const t = harness(range(1, 2500));
  t.stream.receive(frame({ kind: 'hello', last_seq: 0, epoch: 'e1' }));
  await t.stream.receive(frame({ kind: 'gap', n: 1, after: 0 }));
  assert.equal(t.delivered.length, 2500);
  assert.deepEqual(t.gets, ['/api/events?limit=1000&after=0', '/api/events?limit=1000&after=1000', '/api/events?limit=1000&after=2000']);
  assert.equal(t.ctx.serverLastSeq, 2500);
});

test('polling reads through the same pages and stops when nothing is new', async () => {
  const t = harness(range(1, 4));
  await t.stream.fetchAfter('rest');
  await t.stream.fetchAfter('rest');
  assert.deepEqual(t.delivered.map(([s, via]) => s + via), ['1rest', '2rest', '3rest', '4rest']);
  assert.equal(t.gets.length, 2);
});

test('the page reloads when its position is gone: reset frame, new epoch in hello or a REST answer, fewer events', async () => {
  let t = harness([]);
  await t.stream.receive(frame({ kind: 'reset', reason: 'store recreated' }));
  assert.deepEqual(t.resets, ['store recreated']);

  t = harness([], 'e1');
  await t.stream.receive(frame({ kind: 'hello', last_seq: 5, epoch: 'e2' }));
  assert.equal(t.resets.length, 1, 'a new epoch in hello');
  assert.deepEqual(t.hellos, [], 'and the hello is not taken');

  t = harness(range(1, 3));
  t.ctx.window.merge(range(1, 9)); // the page has seen seq 9; the server now holds 3
  await t.stream.fetchAfter('rest');
  assert.match(t.resets[0], /fewer events/);
  assert.deepEqual(t.delivered, [], 'nothing merged from a store that is not the one the page read');

  t = harness(range(1, 3));
  t.epoch = 'e9';
  await t.stream.fetchAfter('rest');
  assert.match(t.resets[0], /new epoch/);
});

test('frames that are not JSON or not text are dropped; a failing frame does not stop the ones after it', async () => {
  const t = harness(range(1, 2));
  t.stream.receive(frame({ kind: 'hello', last_seq: 0, epoch: 'e1' }));
  t.stream.receive('{not json');
  t.stream.receive(new ArrayBuffer(4));
  t.ctx.conn.hello = () => { throw new Error('boom'); };
  t.stream.receive(frame({ kind: 'hello', last_seq: 0, epoch: 'e1' })); // throws inside the chain
  await t.stream.receive(frame({ kind: 'events', n: 1, events: [ev(1), ev(2)] }));
  assert.deepEqual(t.delivered.map(([s]) => s), [1, 2]);
});

test('after a reload began, frames are ignored', async () => {
  const t = harness(range(1, 2));
  t.ctx.reloading = true;
  await t.stream.receive(frame({ kind: 'events', n: 1, events: [ev(1)] }));
  assert.deepEqual(t.delivered, []);
});
