// assets/client/scheduler.js: which panels paint for new events, and when (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Scheduler = require('../../assets/client/scheduler.js');
const EventWindow = require('../../assets/client/event_window.js');

const ev = (seq, type) => ({ seq, type, data: {}, source: 'api', time: new Date(10_000 + seq).toISOString() });

/** A scheduler over panels of the test's own, with a clock, frames and a visibility the test moves. */
function harness(panels, clockMs = 10_000) {
  const t = { now: clockMs, timers: [], frames: [], writes: [], painted: [], hidden: false };
  const ctx = { cfg: { panels: {} }, panels: {}, window: EventWindow.create(100), serverNow: () => t.now };
  panels.forEach((p) => {
    const panel = Object.assign({ wants: (e) => e.type.startsWith(p.name) }, p);
    if (!p.direct) ctx.cfg.panels[p.name] = 'events-' + p.name;
    else panel.paint = (c) => t.painted.push([p.name, c.window.take(p.name).map((e) => e.seq)]);
    ctx.panels[p.name] = panel;
  });
  t.ctx = ctx;
  t.s = Scheduler.create(ctx, {
    writeStore: (id, rev) => t.writes.push([id, rev]),
    later: (fn, ms) => t.timers.push({ fn, at: t.now + ms }),
    nextFrame: (fn) => t.frames.push(fn),
    hidden: () => t.hidden,
    now: () => t.now,
    perfNow: () => 0,
  });
  t.frame = () => t.frames.splice(0).forEach((fn) => fn());
  t.advance = (ms) => {
    t.now += ms;
    const due = t.timers.filter((h) => h.at <= t.now);
    t.timers = t.timers.filter((h) => h.at > t.now);
    due.forEach((h) => h.fn());
  };
  return t;
}

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
  t.now = 10_000 + 2 + 250;
  t.s.deliver([ev(2, 'jobs.progress')], 'websocket');
  assert.equal(t.ctx.delayMs, 250);
  assert.equal(t.ctx.lastEventAt, t.now);
  t.now = 0; // a server clock behind the event's time: never a negative delay
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
  t.advance(379);
  assert.equal(t.writes.length, 1, 'not before the beat (10.5 s)');
  t.advance(1);
  assert.deepEqual(t.writes, [['events-jobs', 1], ['events-jobs', 2]], 'on the beat, once for both deliveries');
});

test('a hidden tab flushes on a timer (it runs no animation frames); unknown panels are ignored', () => {
  const t = harness([{ name: 'jobs' }]);
  t.hidden = true;
  t.s.deliver([ev(1, 'jobs.progress')], 'websocket');
  assert.equal(t.frames.length, 0);
  t.advance(Scheduler.HIDDEN_FLUSH_MS);
  assert.deepEqual(t.writes, [['events-jobs', 1]]);
  t.s.markDirty('nosuchpanel');
  t.s.markDirty('nosuchpanel', true);
  assert.equal(t.timers.length + t.frames.length, 0);
});

test('nothing is scheduled before the page config arrives', () => {
  const t = harness([{ name: 'jobs' }]);
  t.ctx.cfg = null;
  t.s.markDirty('jobs');
  assert.equal(t.frames.length, 0);
});
