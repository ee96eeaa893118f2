// assets/client/live_state.js against the vectors hub/live/state.py is held to (tests/vectors/live_state.json),
// plus what only the page does: seeding from the server's snapshot and not counting boot history twice.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const L = require('../../assets/client/live_state.js');

const VECTORS = require(path.join(__dirname, '..', 'vectors', 'live_state.json')).cases;

function rounded(v) {
  if (typeof v === 'number' && Number.isFinite(v) && v !== 0) return Number(v.toPrecision(9));
  if (Array.isArray(v)) return v.map(rounded);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]));
  return v;
}

for (const c of VECTORS) {
  test('vector: ' + c.name, () => {
    const s = L.apply(L.create(c.bounds), c.events);
    assert.deepStrictEqual(rounded(L.snapshot(s, c.now * 1000, c.stalled_after_s)), rounded(c.snapshot));
  });
}

test('a seeded state folds on from the snapshot as the server would', () => {
  const c = VECTORS.find((v) => v.name.startsWith('job lifecycle'));
  const half = L.apply(L.create(), c.events.slice(0, 4));
  const seeded = L.seed(L.snapshot(half, c.now * 1000));
  assert.strictEqual(seeded.last_seq, 4);
  L.apply(seeded, c.events.slice(4));
  assert.deepStrictEqual(L.snapshot(seeded, c.now * 1000).jobs, c.snapshot.jobs);
});

test('boot history is not counted twice, and a repeated seq is ignored', () => {
  const s = L.seed({ predictions: [{ model: 'm', count: 2, per_s: 0.033, p50_ms: 5, p95_ms: 9, total: 7, last: '2026-11-26T14:00:01.000Z' }] });
  const e = (seq, t, ms) => ({ seq, type: 'ml.prediction.result', time: '2026-11-26T14:00:0' + t + '.000Z', data: { model: 'm', latency_ms: ms } });
  const now = Date.parse('2026-11-26T14:00:10Z');
  // before any sample of its own, the page shows the server's summary
  assert.strictEqual(L.predictions(s, now / 1000)[0].p50_ms, 5);
  L.apply(s, [e(1, 1, 10), e(2, 2, 20)], true);
  L.apply(s, [e(2, 2, 20), e(3, 3, 30)]);
  const p = L.predictions(s, now / 1000)[0];
  assert.deepStrictEqual([p.count, p.total, p.p50_ms], [3, 8, 20]);
});

test('wants: exactly the folded types', () => {
  assert.ok(L.wants('user.presence') && L.wants('ml.prediction.result'));
  assert.ok(!L.wants('notification') && !L.wants('toString'));
});
