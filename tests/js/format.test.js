// assets/client/format.js: times, durations, numbers, text (node --test tests/js/).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const F = require('../../assets/client/format.js');

test('panels wait for shared beats: every interval that divides another lands on its beats', () => {
  assert.equal(F.untilBeat(1000, 12_345), 655);
  assert.equal(F.untilBeat(1000, 13_000), 1000, 'on a beat: the next one, never a zero wait');
  assert.equal(F.untilBeat(500, 12_345), 155);
  assert.equal(F.untilBeat(2000, 12_345), 1655);
  // from any moment, the 500 ms, 1 s and 2 s panels and the clock all land on the same instants
  for (const now of [0, 1, 499, 999, 1999, 123_456_789]) {
    [500, 1000, 2000].forEach((every) => {
      const at = now + F.untilBeat(every, now);
      assert.equal(at % every, 0);
      assert.ok(at > now && at - now <= every);
    });
  }
});

test('relative time', () => {
  const now = Date.parse('2026-11-26T14:00:00Z');
  const ago = (s) => new Date(now - s * 1000).toISOString();
  assert.equal(F.relativeTime(ago(9), now), 'just now');
  assert.equal(F.relativeTime(ago(-30), now), 'just now', 'a clock ahead of ours is not "in the future"');
  assert.equal(F.relativeTime(ago(42), now), '42s ago');
  assert.equal(F.relativeTime(ago(5 * 60 + 10), now), '5m ago');
  assert.equal(F.relativeTime(ago(3 * 3600), now), '3h ago');
  assert.equal(F.relativeTime(ago(2 * 86400 + 5), now), '2d ago');
  assert.equal(F.relativeTime('not a time', now), '');
  assert.equal(F.duration(75), '1m 15s');
  assert.equal(F.duration(7300), '2h 01m');
});

test('local time strings for Plotly keep milliseconds', () => {
  assert.match(F.localTime('2026-11-26T14:00:01.250Z'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:01\.250$/);
  assert.equal(F.localTime('nope'), null);
});

test('numbers, bytes and a chart\'s latest value', () => {
  assert.equal(F.formatValue(1234567, 'B/s'), '1.2 MB/s');
  assert.equal(F.formatValue(12.345, '%'), '12.3%');
  assert.equal(F.formatValue(NaN, '%'), '—');
  assert.equal(F.bytes(999), '999 B');
  assert.equal(F.bytes(-1500), '-1.5 kB');
  assert.equal(F.number(0.12345), '0.123');
  assert.equal(F.percent(0.505), '51%');
  assert.equal(F.percent(null), '');
});

test('text is one bounded line; a class suffix holds only [a-z0-9_-]', () => {
  assert.equal(F.text('x'.repeat(10), 5), 'xxxx…');
  assert.equal(F.text({ a: 1 }), '{"a":1}');
  assert.equal(F.text(null), '');
  assert.equal(F.cssToken('My Cat"><b>'), 'my-cat---b-');
});
