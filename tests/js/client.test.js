// assets/client/client.js: the boot, the socket's url, frames and polls to the panels, the snapshot
// (node --test tests/js/). The page is a jsdom window; the server's answers are DESIGN.md §3's shapes
// served from the test's list (tests/browser/test_live.py runs the same boot against the real server).
// Timers are node's mock timers: the client's 1 s clock and retries move only when the test ticks.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { JSDOM } = require('jsdom');

const ev = (seq, type = 'notification') => ({ seq, type, data: { level: 'info', title: 't' + seq }, source: 'api', time: new Date().toISOString() });
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => ev(a + i));
const flushPromises = () => new Promise((resolve) => setImmediate(resolve));

const server = { events: range(1, 5), epoch: 'e1', up: true, gets: [] };
const page = { writes: [], frames: [], painted: [], booted: null, ticks: [] };

test.before(() => {
  test.mock.timers.enable({ apis: ['setTimeout'] });
  const dom = new JSDOM('<!doctype html><body></body>', { url: 'http://127.0.0.1:8050/', pretendToBeVisual: true });
  page.dom = dom;
  Object.assign(globalThis, { window: dom.window, document: dom.window.document, location: dom.window.location });
  globalThis.requestAnimationFrame = (fn) => page.frames.push(fn);
  globalThis.dash_clientside = { no_update: { none: true }, set_props: (id, props) => page.writes.push([id, props]) };
  globalThis.fetch = async (path) => {
    server.gets.push(path);
    if (!server.up) return { ok: false, status: 503, json: async () => ({}) };
    const last = server.events.length ? server.events[server.events.length - 1].seq : 0;
    const url = new URL(path, 'http://x');
    let body;
    if (url.pathname === '/api/status') body = { epoch: server.epoch, last_seq: last, server_time: new Date().toISOString(), state: {}, health: { state: 'ok' } };
    else if (url.searchParams.has('before')) body = { events: server.events.slice(-2).reverse(), more: false, last_seq: last };
    else body = { events: server.events.filter((e) => e.seq > Number(url.searchParams.get('after'))), more: false, last_seq: last, epoch: server.epoch };
    return { ok: true, status: 200, json: async () => body };
  };
  // one panel of the test's own, registered as panel modules register themselves
  window.mova = { panels: { probe: {
    name: 'probe',
    wants: (e) => e.type === 'notification',
    history: (ctx, before) => ctx.getJSON(before + '&limit=2').then((body) => body.events),
    boot: (ctx, history) => { page.booted = history.map((e) => e.seq); },
    paint: (ctx) => page.painted.push(ctx.window.take('probe').map((e) => e.seq)),
    tick: (ctx, seconds) => page.ticks.push(seconds),
  } } };
  page.client = require('../../assets/client/client.js'); // starts on the window it finds
});

test.after(() => {
  test.mock.timers.reset();
  page.dom.window.close();
});

const config = { ids: { socket: 'ws', poll: 'poll' }, panels: {}, max_reconnect_tries: 5, heartbeat_s: 30, frame_ms: 25, poll_interval_ms: 2000 };
const runFrames = () => page.frames.splice(0).forEach((fn) => fn());

test('boot: the server position and history first, the panel painted, then the socket after the last seq', async () => {
  assert.equal(typeof dash_clientside.mova_live.boot, 'function', 'the boot callback is exposed for callbacks/live.py');
  assert.equal(typeof window.movaLive.snapshot, 'function');
  server.up = false; // the first try fails: the client retries after 3 s, the badge says so meanwhile
  dash_clientside.mova_live.boot(config);
  await flushPromises();
  assert.equal(window.movaLive.snapshot().pollOk, false, 'the badge shows the server unreachable');
  assert.deepEqual(page.writes, [], 'no socket before the boot has the position');
  server.up = true;
  test.mock.timers.tick(3000);
  await flushPromises();
  await flushPromises();
  assert.deepEqual(page.booted, [5, 4], 'the panel got its history at boot');
  runFrames();
  assert.deepEqual(page.painted, [[4, 5]], 'history in seq order, painted on the next frame');
  const url = page.writes.filter(([id, p]) => id === 'ws' && p.url).map(([, p]) => p.url);
  assert.deepEqual(url, ['ws://127.0.0.1:8050/ws?after=5&epoch=e1&frame_ms=25&c=1']);
  assert.equal(window.movaLive.snapshot().lastSeq, 5);
});

test('frames from the socket reach the panel once each; the snapshot follows them', async () => {
  const c = page.client;
  c.receive(JSON.stringify({ kind: 'hello', last_seq: 5, epoch: 'e1', heartbeat_s: 30 }));
  server.events.push(...range(6, 8));
  c.receive(JSON.stringify({ kind: 'events', n: 1, events: range(6, 7) }));
  await c.receive(JSON.stringify({ kind: 'events', n: 2, events: range(7, 8) }));
  runFrames();
  assert.deepEqual(page.painted.slice(1), [[6, 7, 8]]);
  const snap = window.movaLive.snapshot();
  assert.equal(snap.state, 'connected');
  assert.equal(snap.socketLive, true);
  assert.equal(snap.transport, 'websocket');
  assert.equal(snap.lastSeq, 8);
  assert.deepEqual(snap.flushesByPanel, { probe: 2 });
});

test('the 1 s clock ticks the panels; a closed socket falls back to polling, which reads the same events', async () => {
  test.mock.timers.tick(2000);
  assert.ok(page.ticks.length >= 2, 'the clock ran on its beats');
  dash_clientside.mova_live.socketState({ readyState: 1 }); // open: not a close
  assert.equal(window.movaLive.snapshot().state, 'connected');
  server.events.push(...range(9, 10)); // published while the socket goes down
  dash_clientside.mova_live.socketState({ readyState: 3, code: 1006 });
  assert.equal(window.movaLive.snapshot().state, 'polling');
  assert.ok(page.writes.some(([id, p]) => id === 'poll' && p.disabled === false), 'the poll interval switched on');
  await dash_clientside.mova_live.poll(1); // the interval's first beat: the poll the switch started is still in flight
  await flushPromises();
  runFrames();
  assert.deepEqual(page.painted.at(-1), [9, 10]);
  assert.equal(window.movaLive.snapshot().transport, 'rest');
});
