// assets/client/workarounds.js: frames read from the component's socket, Dash's history trimmed.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const W = require('../../assets/client/workarounds.js');

test('frames of the newest /ws socket reach the handler; other sockets and replaced ones do not', () => {
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.listeners = [];
    }
    addEventListener(kind, fn) { this.listeners.push(fn); }
    emit(data) { this.listeners.forEach((fn) => fn({ data })); }
  }
  const win = { WebSocket: FakeSocket, location: { href: 'http://h:1/' } };
  const got = [];
  W.listen(win, (data) => got.push(data));
  const first = new win.WebSocket('ws://h:1/ws?after=0&c=1');
  const other = new win.WebSocket('ws://h:1/_dash-update');
  first.emit('a');
  other.emit('not ours');
  const second = new win.WebSocket('ws://h:1/ws?after=5&c=2');
  first.emit('from a replaced socket');
  second.emit('b');
  assert.deepEqual(got, ['a', 'b']);
  assert.equal(W.state.socket, second);
  W.listen(win, (data) => got.push('again ' + data));
  assert.equal(Object.getPrototypeOf(win.WebSocket), FakeSocket, 'installed once');
});

test("Dash's undo history is cut to its tail in place", () => {
  const history = { past: Array.from({ length: 50 }, (_, i) => i), future: [] };
  const win = { store: { getState: () => ({ history }) } };
  assert.equal(W.trimHistory(win), 50 - W.HISTORY_KEEP);
  assert.deepEqual(history.past, Array.from({ length: W.HISTORY_KEEP }, (_, i) => 30 + i));
  assert.equal(W.trimHistory(win), 0);
  assert.equal(W.trimHistory({}), 0, 'no Dash store: nothing to do');
});
