// assets/client/connection.js: the state machine, backoff, heartbeat, polling fallback (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const C = require('../../assets/client/connection.js');

/** A connection with recorded effects and a clock the test moves. */
function harness(opts) {
  const t = { now: 0, timers: [], log: [], changes: [] };
  const fx = {
    open: (n) => t.log.push('open ' + n),
    ping: (id) => t.log.push('ping ' + id),
    poll: (on) => t.log.push(on ? 'poll on' : 'poll off'),
    later: (fn, ms) => { const h = { fn, at: t.now + ms }; t.timers.push(h); return h; },
    cancel: (h) => { t.timers = t.timers.filter((x) => x !== h); },
    onChange: (state, reason) => t.changes.push(state + ':' + reason),
  };
  t.conn = C.create(fx, Object.assign({ now: () => t.now, rand: () => 0.5 }, opts || {}));
  t.advance = (ms) => {
    t.now += ms;
    const due = t.timers.filter((h) => h.at <= t.now);
    t.timers = t.timers.filter((h) => h.at > t.now);
    due.forEach((h) => h.fn());
  };
  return t;
}

test('only the moves of the transitions table are allowed', () => {
  const t = harness();
  t.conn.hello(30);
  assert.equal(t.conn.state, 'disconnected', 'a hello before any socket changes nothing');
  t.conn.start();
  assert.equal(t.conn.state, 'connecting');
  t.conn.close('reset');
  assert.equal(t.conn.state, 'closed');
  t.conn.socketClosed(); // ignored: nothing leaves closed
  t.conn.start();
  assert.equal(t.conn.state, 'closed');
  for (const [from, tos] of Object.entries(C.TRANSITIONS)) {
    for (const to of tos) assert.ok(C.TRANSITIONS[to], from + ' -> ' + to + ' names a state');
  }
  assert.deepEqual(C.TRANSITIONS.closed, []);
});

test('boot, hello, a lost socket: poll at once, reconnect with backoff, resume when hello comes back', () => {
  const t = harness();
  t.conn.start();
  t.conn.hello(30);
  assert.equal(t.conn.state, 'connected');
  assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Live');
  t.conn.socketClosed();
  assert.equal(t.conn.state, 'polling');
  assert.deepEqual(t.log, ['open 1', 'poll off', 'poll on']);
  assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Reconnecting');
  t.conn.polled(true);
  assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Polling');
  t.advance(499);
  assert.equal(t.conn.state, 'polling', 'attempt 1 waits half of 1 s with rand 0.5');
  t.advance(1);
  assert.equal(t.conn.state, 'connecting');
  t.conn.socketClosed(); // refused again: attempt 2, up to 2 s
  assert.equal(t.conn.info.attempt, 2);
  assert.equal(t.conn.info.nextTryAt - t.now, 1000);
  t.advance(1000);
  t.conn.hello(30);
  assert.equal(t.conn.state, 'connected');
  assert.equal(t.log[t.log.length - 1], 'poll off', 'polling stops when the socket is back');
  assert.deepEqual(t.changes, ['connecting:boot', 'connected:hello', 'polling:closed', 'connecting:retry', 'polling:closed', 'connecting:retry', 'connected:hello']);
});

test('a server that answers polls again gets the socket tried at once; both down is Offline', () => {
  const t = harness();
  t.conn.start();
  t.conn.socketClosed();
  t.conn.polled(false);
  assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Offline');
  t.conn.polled(true);
  assert.equal(t.conn.state, 'connecting', 'no waiting for the rest of the backoff');
});

test('heartbeat: a ping every beat, and a socket silent for two beats is given up at once', () => {
  const t = harness({ heartbeatS: 1 });
  t.conn.start();
  t.conn.hello(1);
  t.advance(1000);
  t.conn.tick();
  assert.deepEqual(t.log.filter((l) => l.startsWith('ping')), ['ping 1']);
  t.advance(1001);
  t.conn.tick();
  assert.equal(t.conn.state, 'polling');
  assert.equal(t.changes[t.changes.length - 1], 'polling:silent');
  t.advance(0);
  assert.equal(t.conn.state, 'connecting', 'reconnects without a backoff wait');
});

test('backoff: full jitter under 1 s doubling to 30 s; after max tries up to 30 s; a floor', () => {
  const top = (a) => C.backoffDelay(a, {}, () => 1);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 10, 11].map(top), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(C.backoffDelay(3, {}, () => 0.25), 1000);
  assert.equal(C.backoffDelay(3, {}, () => 0), 250, 'never 0: no tight loop');
  const many = Array.from({ length: 200 }, () => C.backoffDelay(4));
  assert.ok(Math.min(...many) < 3000 && Math.max(...many) > 5000, 'spread over the whole range');
});

test('the badge counts attempts and the next try', () => {
  const info = { state: 'polling', attempt: 12, failed: 12, pollOk: false, lost: true, nextTryAt: 2400 };
  assert.equal(C.badgeView(info, 10, 0).detail, 'attempt 10/10+ · next try in 3 s');
  assert.equal(C.badgeState({ state: 'connecting', attempt: 0, lost: false }), 'connecting');
  assert.equal(C.socketUrl('ws://h/ws', 42, 'e 1', 3), 'ws://h/ws?after=42&epoch=e%201&c=3');
});

test('a socket that opens and never says hello fails: poll, retry with growing backoff, live on a later hello', () => {
  const t = harness({ helloTimeoutS: 10 });
  t.conn.start();
  for (let s = 0; s < 10; s += 1) { t.advance(1000); t.conn.tick(); }
  assert.equal(t.conn.state, 'connecting', 'ten seconds is within the timeout');
  t.advance(1000);
  t.conn.tick();
  assert.equal(t.conn.state, 'polling', 'no hello within the timeout counts as failed');
  assert.deepEqual(t.log, ['open 1', 'poll on']);
  assert.equal(t.changes[t.changes.length - 1], 'polling:timeout');
  t.conn.polled(true);
  assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Polling', 'the badge leaves Connecting');
  const waits = [];
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    waits.push(t.conn.info.nextTryAt - t.now);
    t.advance(t.conn.info.nextTryAt - t.now);
    assert.equal(t.conn.state, 'connecting', 'the socket is tried again (attempt ' + attempt + ')');
    assert.equal(C.badgeView(t.conn.info, 10, t.now).label, 'Polling', 'polls still deliver while the socket is tried');
    for (let s = 0; s <= 10; s += 1) { t.advance(1000); t.conn.tick(); }
    assert.equal(t.conn.state, 'polling');
  }
  assert.deepEqual(waits, [500, 1000, 2000, 4000], 'backoff doubles (rand 0.5), not a retry every timeout');
  assert.ok(!t.log.includes('poll off'), 'polling never stopped while no socket said hello');
  t.advance(t.conn.info.nextTryAt - t.now);
  t.conn.hello(30);
  assert.equal(t.conn.state, 'connected');
  assert.equal(t.log[t.log.length - 1], 'poll off');
  assert.equal(t.conn.info.timeouts, 5);
});

test('a ping left unanswered past the pong timeout fails a live socket; an answered one does not', () => {
  const t = harness({ heartbeatS: 30, pongTimeoutS: 10 });
  t.conn.start();
  t.conn.hello(30);
  t.advance(30000);
  t.conn.tick();
  assert.deepEqual(t.log.filter((l) => l.startsWith('ping')), ['ping 1']);
  t.advance(2000);
  t.conn.received(); // the pong
  t.advance(28000);
  t.conn.tick();
  assert.equal(t.conn.state, 'connected', 'an answered ping keeps the socket');
  assert.deepEqual(t.log.filter((l) => l.startsWith('ping')), ['ping 1', 'ping 2']);
  t.advance(10000);
  t.conn.tick();
  assert.equal(t.conn.state, 'connected', 'ten seconds is within the pong timeout');
  t.advance(1000);
  t.conn.tick();
  assert.equal(t.conn.state, 'polling');
  assert.equal(t.changes[t.changes.length - 1], 'polling:silent');
});
