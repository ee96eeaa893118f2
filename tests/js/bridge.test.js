// assets/client/bridge.js: the one module that talks to dash_clientside (set by a test as dash-renderer sets it).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const B = require('../../assets/client/bridge.js');
const { dash } = require('./jsdom_env.js');

test('expose puts callbacks in mova_<name>, merged with what the namespace already holds', () => {
  dash(B);
  const a = () => 1;
  const b = () => 2;
  const a2 = () => 3;
  B.expose('feed', { a });
  B.expose('feed', { b });
  assert.equal(globalThis.dash_clientside.mova_feed.a, a, 'a second expose must not drop the first one\'s functions');
  assert.equal(globalThis.dash_clientside.mova_feed.b, b);
  B.expose('feed', { a: a2 });
  assert.equal(globalThis.dash_clientside.mova_feed.a, a2);
  assert.equal(globalThis.dash_clientside.feed, undefined, 'always under the mova_ prefix callbacks/*.py name');
});

test('expose before dash-renderer starts: the namespace is made, and dash-renderer adds to it', () => {
  delete globalThis.dash_clientside;
  const fn = () => 'x';
  B.expose('early', { fn });
  assert.equal(globalThis.dash_clientside.mova_early.fn, fn);
});

test('setProps writes through set_props and counts; before set_props exists it does nothing', () => {
  globalThis.dash_clientside = {}; // the page before dash-renderer has started
  const before = B.stats.writes;
  B.setProps('x', { data: 1 });
  assert.equal(B.stats.writes, before, 'no set_props yet: nothing written, nothing counted');
  const { writes } = dash(B);
  B.setProps('x', { data: 2 });
  B.setProps('y', { children: 'a' });
  assert.deepEqual(writes, [['x', { data: 2 }], ['y', { children: 'a' }]]);
  assert.equal(B.stats.writes, before + 2);
});

test('setChanged writes only the props whose value changed, per id and prop, and says whether it wrote', () => {
  const { writes } = dash(B);
  assert.equal(B.setChanged('badge', { children: 'live', className: 'pill' }), true);
  assert.equal(B.setChanged('badge', { children: 'live', className: 'pill' }), false, 'the same again: no re-render');
  assert.equal(B.setChanged('badge', { children: 'offline', className: 'pill' }), true);
  assert.equal(B.setChanged('other', { children: 'offline' }), true, 'the same value on another id is a write');
  assert.equal(B.setChanged('badge', { title: 'live' }), true, 'and on another prop of the same id');
  // values compared by content, not identity: a rebuilt but equal popover body costs nothing
  assert.equal(B.setChanged('body', { children: [{ a: 1 }] }), true);
  assert.equal(B.setChanged('body', { children: [{ a: 1 }] }), false);
  assert.deepEqual(writes, [
    ['badge', { children: 'live', className: 'pill' }],
    ['badge', { children: 'offline' }], // only the prop that changed
    ['other', { children: 'offline' }],
    ['badge', { title: 'live' }],
    ['body', { children: [{ a: 1 }] }],
  ]);
});

test('noUpdate is dash\'s marker, or n of them for a callback with n outputs', () => {
  const { NO_UPDATE } = dash(B);
  assert.equal(B.noUpdate(), NO_UPDATE);
  assert.equal(B.noUpdate(1), NO_UPDATE);
  const three = B.noUpdate(3);
  assert.equal(three.length, 3);
  three.forEach((x) => assert.equal(x, NO_UPDATE));
});

test('triggered, triggeredValue and firedBy read the running callback\'s context', () => {
  const { context } = dash(B);
  assert.deepEqual(B.triggered(), []);
  assert.equal(B.triggeredValue(), undefined);
  assert.equal(B.firedBy('pause'), false);
  context.triggered = [{ prop_id: 'pause-button.n_clicks', value: 2 }, { prop_id: 'range.value', value: '1h' }];
  assert.deepEqual(B.triggered(), ['pause-button.n_clicks', 'range.value']);
  assert.equal(B.triggeredValue(), 2, 'the first input that fired');
  assert.equal(B.firedBy('range'), true);
  assert.equal(B.firedBy('pause'), false, "'pause' is not 'pause-button': whole ids only");
  delete globalThis.dash_clientside.callback_context;
  assert.deepEqual(B.triggered(), [], 'outside a callback: nothing fired');
});

test('patch() is a new dash_clientside.Patch each time', () => {
  const { Patch } = dash(B);
  const p = B.patch();
  assert.ok(p instanceof Patch);
  assert.notEqual(B.patch(), p);
});
