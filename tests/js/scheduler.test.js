// assets/client/scheduler.js: which panels paint for new events, and when (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Scheduler = require('../../assets/client/scheduler.js');
const EventWindow = require('../../assets/client/event_window.js');

const ev = (seq, type) => ({ seq, type, data: {}, source: 'api', time: new Date(10_000 + seq).toISOString() });

/**
 * A scheduler over panels of the test's own. Its timers and clock are node's mock timers (`test.mock.timers`,
 * moved by `tick`); animation frames and the tab's visibility are the test's.
 */
function harness(panels, clockMs = 10_000) {
  test.mock.timers.reset();
  test.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: clockMs });
  const t = { frames: [], writes: [], painted: [], hidden: false, tick: (ms) => test.mock.timers.tick(ms) };
  const ctx = { cfg: { panels: {} }, panels: {}, window: EventWindow.create(100), serverNow: () => Date.now() };
  panels.forEach((p) => {
    const panel = Object.assign({ wants: (e) => e.type.startsWith(p.name) }, p);
    if (!p.direct) ctx.cfg.panels[p.name] = 'events-' + p.name;
    else panel.paint = (c) => t.painted.push([p.name, c.window.take(p.name).map((e) => e.seq)]);
    ctx.panels[p.name] = panel;
  });
  t.ctx = ctx;
  t.s = Scheduler.create(ctx, {
    writeStore: (id, rev) => t.writes.push([id, rev]),
    later: (fn, ms) => setTimeout(fn, ms),
    nextFrame: (fn) => t.frames.push(fn),
    hidden: () => t.hidden,
    now: () => Date.now(),
    perfNow: () => 0,
  });
  t.frame = () => t.frames.splice(0).forEach((fn) => fn());
  return t;
}

test.afterEach(() => test.mock.timers.reset());

test('new events mark only the panels that show them; one store write per frame however many arrive', () => {
  const t = harness([{ name: 'jobs' }, { name: 'plugin' }]);
  assert.equal(t.s.deliver([ev(1, 'jobs.progress'), ev(2, 'jobs.progress')], 'websocket'), 2);
  assert.equal(t.s.deliver([ev(3, 'jobs.progress')], 'websocket'), 1);
  assert.deepEqual(t.writes, [], 'nothing before the frame');
  t.frame();
  assert.deepEqual(t.writes, [['events-jobs', 1]], 'one write for three events; plugin saw none of its own');
  assert.equal(t.s.deliver([ev(2, 'jobs.progress'), ev(3, 'plugin.status')], 'rest'), 0, 'seqs already merged are nothing new');
  t.frame();
  assert.deepEqual(t.writes, [['events-jobs', 1]]);
  t.s.deliver([ev(4, 'plugin.status')], 'rest');
  t.frame();
  assert.deepEqual(t.writes, [['events-jobs', 1], ['events-plugin', 1]], 'each store counts its own revisions');
  assert.equal(t.ctx.transport, 'rest');
  assert.equal(t.s.stats.flushes, 2);
});

test('the last delivered event sets the delivery delay by the server clock; history (no via) does not', () => {
  const t = harness([{ name: 'jobs' }]);
  t.s.deliver([ev(1, 'jobs.progress')], null);
  assert.equal(t.ctx.delayMs, undefined);
  t.tick(2 + 250);
  t.s.deliver([ev(2, 'jobs.progress')], 'websocket');
  assert.equal(t.ctx.delayMs, 250);
  assert.equal(t.ctx.lastEventAt, Date.now());
  t.ctx.serverNow = () => 0; // a server clock behind the event's time: never a negative delay
  t.s.deliver([ev(3, 'jobs.progress')], 'websocket');
  assert.equal(t.ctx.delayMs, 0);
});

test('a direct panel paints itself and takes each event once, by its cursor', () => {
  const t = harness([{ name: 'feed', direct: true }]);
  t.s.deliver([ev(1, 'feed.x'), ev(2, 'feed.x')], 'websocket');
  t.frame();
  t.s.deliver([ev(3, 'feed.x')], 'websocket');
  t.frame();
  assert.deepEqual(t.painted, [['feed', [1, 2]], ['feed', [3]]]);
  assert.deepEqual(t.writes, [], 'no store write for a panel that paints the DOM');
  assert.deepEqual(Object.fromEntries(t.s.stats.revs), { feed: 2 });
});

test('an eager panel paints at once for every delivery, even twice in one frame', () => {
  const t = harness([{ name: 'health', eager: true, direct: true }]);
  t.s.deliver([ev(1, 'health.x')], 'websocket');
  t.s.deliver([ev(2, 'health.x')], 'websocket');
  assert.deepEqual(t.painted, [['health', [1]], ['health', [2]]]);
  t.s.markDirty('health', true);
  assert.equal(t.painted.length, 3, 'markDirty(name, true) paints at once too');
  assert.equal(t.frames.length, 0);
});

test('a panel with an interval paints first at once, then on the shared beats of its interval', () => {
  const t = harness([{ name: 'jobs', minIntervalMs: 500 }], 10_120);
  t.s.markDirty('jobs');
  t.frame();
  assert.deepEqual(t.writes, [['events-jobs', 1]], 'the first paint (empty state, seed) on the next frame');
  t.s.deliver([ev(1, 'jobs.progress')], 'websocket');
  t.s.deliver([ev(2, 'jobs.progress')], 'websocket');
  t.frame();
  assert.equal(t.writes.length, 1, 'not on a frame once it has painted');
  t.tick(379);
  assert.equal(t.writes.length, 1, 'not before the beat (10.5 s)');
  t.tick(1);
  assert.deepEqual(t.writes, [['events-jobs', 1], ['events-jobs', 2]], 'on the beat, once for both deliveries');
});

test('a hidden tab flushes on a timer (it runs no animation frames); unknown panels are ignored', () => {
  const t = harness([{ name: 'jobs' }]);
  t.hidden = true;
  t.s.deliver([ev(1, 'jobs.progress')], 'websocket');
  assert.equal(t.frames.length, 0);
  t.tick(Scheduler.HIDDEN_FLUSH_MS);
  assert.deepEqual(t.writes, [['events-jobs', 1]]);
  t.s.markDirty('nosuchpanel');
  t.s.markDirty('nosuchpanel', true);
  assert.equal(t.frames.length, 0);
  assert.deepEqual(t.writes, [['events-jobs', 1]], 'and nothing else was ever scheduled');
  t.tick(60_000);
  assert.deepEqual(t.writes, [['events-jobs', 1]]);
});

test('nothing is scheduled before the page config arrives', () => {
  const t = harness([{ name: 'jobs' }]);
  t.ctx.cfg = null;
  t.s.markDirty('jobs');
  assert.equal(t.frames.length, 0);
});
