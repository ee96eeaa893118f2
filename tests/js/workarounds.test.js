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

test("the component's per-frame message handler is kept off /ws sockets only", () => {
  class FakeSocket {
    addEventListener() {}
    set onmessage(fn) { this.handler = fn; }
    get onmessage() { return this.handler || null; }
  }
  const win = { WebSocket: FakeSocket, location: { href: 'http://h:1/' } };
  W.listen(win, () => {});
  const stream = new win.WebSocket('ws://h:1/ws?after=0');
  const component = () => 'a message prop';
  stream.onmessage = component; // what dash-extensions does on open
  assert.equal(stream.onmessage, null);
  assert.equal(stream.handler, undefined, 'the native socket never got the handler');
  const other = new win.WebSocket('ws://h:1/elsewhere');
  other.onmessage = component;
  assert.equal(other.onmessage, component, 'sockets of other pages keep theirs');
});

test("Dash's undo history is cut to its tail in place", () => {
  const history = { past: Array.from({ length: 50 }, (_, i) => i), future: [] };
  const win = { store: { getState: () => ({ history }) } };
  assert.equal(W.trimHistory(win), 50 - W.HISTORY_KEEP);
  assert.deepEqual(history.past, Array.from({ length: W.HISTORY_KEEP }, (_, i) => 30 + i));
  assert.equal(W.trimHistory(win), 0);
  assert.equal(W.trimHistory({}), 0, 'no Dash store: nothing to do');
});

test('Dash option lists become groups of named inputs; the dropdown tab stop is named, not aria-hidden', () => {
  // a minimal element: attributes, classes, children, and the selectors fixAria uses
  const el = (cls, attrs, children) => {
    const node = {
      attrs: Object.assign({}, attrs), classes: cls.split(' '), children: children || [], nextElementSibling: null, textContent: '',
      classList: { contains: (c) => node.classes.includes(c) },
      getAttribute: (k) => (k in node.attrs ? node.attrs[k] : null), hasAttribute: (k) => k in node.attrs,
      setAttribute: (k, v) => { node.attrs[k] = String(v); }, removeAttribute: (k) => { delete node.attrs[k]; },
    };
    node.children.forEach((c, i) => { c.nextElementSibling = node.children[i + 1] || null; });
    return node;
  };
  const all = (node) => [node].concat(...node.children.map(all));
  const match = (node, sel) => sel.split(',').some((one) => {
    const parts = one.trim().split(' ');
    const test1 = (n, p) => {
      const m = p.match(/^([.\w-]+)(\[(.+?)(="(.+)")?\])?$/);
      const ok = m[1].split('.').filter(Boolean).every((c) => n.classes.includes(c));
      return ok && (!m[3] || (m[5] === undefined ? n.hasAttribute(m[3]) : n.getAttribute(m[3]) === m[5]));
    };
    if (parts.length === 1) return test1(node, parts[0]);
    return test1(node, parts[1]) && parents.get(node) && test1(parents.get(node), parts[0]);
  });
  const parents = new Map();
  const option = el('dash-options-list-option selected', { role: 'option', 'aria-selected': 'true' });
  const checklist = el('dash-options-list dash-checklist feed-filter', { role: 'listbox' }, [option]);
  const radio = el('dash-options-list dash-radioitems', { role: 'listbox' });
  const button = el('dash-dropdown', { 'aria-label': 'Series' });
  const target = el('dash-dropdown-focus-target', { 'aria-hidden': 'true', tabindex: '0' });
  const wrapper = el('dash-dropdown-wrapper', {}, [target, button]);
  const doc = el('root', {}, [checklist, radio, wrapper]);
  all(doc).forEach((n) => n.children.forEach((c) => parents.set(c, n)));
  all(doc).forEach((n) => { n.querySelectorAll = (sel) => all(n).slice(1).filter((x) => match(x, sel)); });

  assert.equal(W.fixAria(doc), 4);
  assert.equal(checklist.getAttribute('role'), 'group');
  assert.equal(radio.getAttribute('role'), 'radiogroup');
  assert.ok(!option.hasAttribute('role') && !option.hasAttribute('aria-selected'), 'no option role around an input');
  assert.ok(!target.hasAttribute('aria-hidden'));
  assert.equal(target.getAttribute('aria-label'), 'Choose: Series');
  assert.equal(target.getAttribute('tabindex'), '0', 'the tab stop stays where Dash put it');
  assert.equal(W.fixAria(doc), 0, 'nothing left to fix');
});
