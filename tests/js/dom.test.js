// assets/client/dom.js in a jsdom document: nodes from descriptions, event text only ever as text,
// rows reconciled by key without swapping the node under the pointer, and the viewport watch.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const D = require('../../assets/client/dom.js');
const F = require('../../assets/client/format.js');
const { browser, setHidden, observers } = require('./jsdom_env.js');

// markup an event could carry (DESIGN.md §6): each must stay text wherever it goes
const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '</span><b>bold</b><span>',
];

test('h builds a node from its description; strings go in as text, nulls are skipped', () => {
  browser();
  const node = D.h('div', {
    className: 'row s-ok', title: 'tip', style: { color: 'red' }, dataset: { user: 'ana', n: 3 }, attrs: { role: 'listitem' },
  }, [D.h('span', { text: 'a' }), 'b', null, '', false, D.h('i')]);
  assert.equal(node.outerHTML, '<div class="row s-ok" title="tip" style="color: red;" data-user="ana" data-n="3" role="listitem"><span>a</span>b<i></i></div>');
  assert.equal(D.h('b', { text: 0 }).textContent, '0', 'a zero is text, not nothing');
});

test('h: markup in event text lands as text, never as an element, in text, children and attributes', () => {
  browser();
  HOSTILE.forEach((s) => {
    const node = D.h('div', { title: s, dataset: { user: s }, attrs: { 'aria-label': s } }, [D.h('span', { text: s }), s]);
    assert.equal(node.querySelectorAll('img, script, svg, b').length, 0, s);
    assert.equal(node.children.length, 1, 'only the span built here');
    assert.equal(node.textContent, s + s);
    assert.equal(node.firstChild.textContent, s);
    assert.equal(node.title, s);
    assert.equal(node.dataset.user, s);
    assert.equal(node.getAttribute('aria-label'), s);
  });
});

test('setText writes only when the text differs', () => {
  browser();
  const node = D.h('span', { text: 'a' });
  const textNode = node.firstChild;
  D.setText(node, 'a');
  assert.equal(node.firstChild, textNode, 'the same text: untouched (a write would replace the text node)');
  D.setText(node, 'b');
  assert.equal(node.textContent, 'b');
  assert.notEqual(node.firstChild, textNode);
  D.setText(null, 'x'); // a container not rendered yet: nothing to do, no error
});

test('morph brings attributes, text and children over while the node (and the focus in it) stays', () => {
  const win = browser('<div id="box"></div>');
  const old = D.h('div', { className: 'row s-online', dataset: { state: 'online' }, attrs: { tabindex: 0 } },
    [D.h('span', { className: 'name', text: 'ana' }), D.h('span', { text: 'online' }), D.h('em', { text: 'gone soon' })]);
  document.getElementById('box').appendChild(old);
  old.focus();
  const name = old.firstChild;
  const away = () => D.h('div', { className: 'row s-away', title: 'away since 14:00', attrs: { tabindex: 0 } },
    [D.h('span', { className: 'name', text: 'ana' }), D.h('b', { text: 'away' })]);
  const attrs = (n) => Array.from(n.attributes).map((a) => a.name + '=' + a.value).sort();
  assert.equal(D.morph(old, away()), old);
  assert.deepEqual(attrs(old), attrs(away()));
  assert.equal(old.innerHTML, away().innerHTML);
  assert.equal(old.dataset.state, undefined, 'an attribute the new description lacks goes');
  assert.equal(old.firstChild, name, 'a child of the same tag is morphed too, not replaced');
  assert.equal(win.document.activeElement, old, 'the focused row is still the one focused');
  const other = D.h('p');
  assert.equal(D.morph(D.h('div'), other), other, 'another tag cannot be morphed: the caller gets the new node');
});

test('keyedList: rows inserted, reordered and removed by key; an unchanged row is the same node', () => {
  browser('<div id="box"><div class="empty-state">Nobody seen yet</div></div>');
  const box = document.getElementById('box');
  const memo = new Map();
  let builds = 0;
  const list = (items, inPlace) => D.keyedList(box, items, (x) => x.k, (x) => x.v,
    (x) => { builds += 1; return D.h('div', { dataset: { k: x.k }, text: x.v }); }, memo, inPlace);
  const shown = () => Array.from(box.children).map((n) => n.dataset.k + '=' + n.textContent);
  assert.equal(list([{ k: 'a', v: '1' }, { k: 'b', v: '1' }]), true);
  assert.deepEqual(shown(), ['a=1', 'b=1'], 'the empty state left when rows came');
  const [a, b] = box.children;
  list([{ k: 'c', v: '1' }, { k: 'b', v: '1' }, { k: 'a', v: '1' }]);
  assert.deepEqual(shown(), ['c=1', 'b=1', 'a=1']);
  assert.equal(builds, 3, 'a reorder builds only the new row');
  assert.equal(box.children[1], b);
  assert.equal(box.children[2], a);
  list([{ k: 'b', v: '2' }, { k: 'a', v: '1' }]);
  assert.deepEqual(shown(), ['b=2', 'a=1'], 'c removed, b changed');
  assert.notEqual(box.children[0], b, 'without inPlace a changed row is a new node');
  assert.equal(box.children[1], a);
  const b2 = box.children[0];
  list([{ k: 'b', v: '3' }, { k: 'a', v: '1' }], true);
  assert.equal(box.children[0], b2, 'inPlace: a changed row keeps its node');
  assert.equal(b2.textContent, '3');
  assert.equal(D.keyedList(null, [], (x) => x, (x) => x, () => null, memo), false, 'no container yet');
});

test('keyedList: a row taken out of the box (an empty state in between) comes back; stray children go', () => {
  browser('<div id="box"></div>');
  const box = document.getElementById('box');
  const memo = new Map();
  const list = (keys) => D.keyedList(box, keys, (k) => k, (k) => k, (k) => D.h('p', { text: k }), memo);
  list(['a', 'b']);
  box.firstChild.remove(); // e.g. an empty state replaced the box's children in between
  box.appendChild(D.h('div', { text: 'stray' }));
  list(['a', 'b']);
  assert.deepEqual(Array.from(box.children).map((n) => n.textContent), ['a', 'b']);
});

test('heldOrder: the rows keep their order while one of them holds the focus; new ones go last', () => {
  browser('<div id="box"></div><button id="elsewhere"></button>');
  const box = document.getElementById('box');
  const memo = new Map();
  const key = (k) => k;
  D.keyedList(box, ['a', 'b', 'c'], key, key, (k) => D.h('div', { text: k, attrs: { tabindex: 0 } }), memo);
  const fresh = ['d', 'c', 'b', 'a'];
  assert.deepEqual(D.heldOrder(box, fresh, key, memo), fresh, 'nothing focused: as given');
  box.children[1].focus();
  assert.deepEqual(D.heldOrder(box, fresh, key, memo), ['a', 'b', 'c', 'd']);
  document.getElementById('elsewhere').focus();
  assert.deepEqual(D.heldOrder(box, fresh, key, memo), fresh, 'the focus left the list: the new order shows');
  assert.equal(D.heldOrder(null, fresh, key, memo), fresh);
});

test('emptyState: one node saying the text, left alone when it already says it', () => {
  browser('<div id="box"><p>old row</p></div>');
  const box = document.getElementById('box');
  D.emptyState(box, 'No plugins reported', 'puzzle');
  assert.equal(box.children.length, 1);
  const node = box.firstChild;
  assert.equal(node.textContent, 'No plugins reported');
  assert.ok(node.classList.contains('empty-state') && node.querySelector('svg'));
  D.emptyState(box, 'No plugins reported', 'puzzle');
  assert.equal(box.firstChild, node, 'the second call writes nothing');
  D.emptyState(box, 'Nobody seen yet');
  assert.equal(box.textContent, 'Nobody seen yet');
  assert.equal(box.children.length, 1);
  D.emptyState(null, 'x'); // no container: nothing to do
});

test('progressBar: clamped to 0..100, named for screen readers, filled by a scaleX transform', () => {
  browser();
  const bar = (f, label) => D.progressBar(f, 'Running', F.cssToken, label);
  const half = bar(0.4261, 'Upload a.csv');
  assert.equal(half.className, 'progress-track s-running');
  assert.equal(half.getAttribute('role'), 'progressbar');
  assert.equal(half.getAttribute('aria-label'), 'Upload a.csv');
  assert.deepEqual(['aria-valuenow', 'aria-valuemin', 'aria-valuemax'].map((a) => half.getAttribute(a)), ['43', '0', '100']);
  assert.equal(half.firstChild.style.transform, 'scaleX(0.426)');
  assert.equal(bar(1.7).getAttribute('aria-valuenow'), '100');
  assert.equal(bar(1.7).firstChild.style.transform, 'scaleX(1.000)');
  assert.equal(bar(-0.5).getAttribute('aria-valuenow'), '0');
  assert.equal(bar(NaN).firstChild.style.transform, 'scaleX(0.000)');
  assert.equal(bar(0.5).getAttribute('aria-label'), 'Progress', 'never a progress bar without a name');
});

test('watchView calls back as its element enters and leaves the viewport', () => {
  browser('<div id="x"></div>');
  const seen = [];
  const observer = D.watchView(document.getElementById('x'), (on) => seen.push(on));
  assert.deepEqual(observer.targets, [document.getElementById('x')]);
  observer.fire(true);
  observer.fire(false);
  assert.deepEqual(seen, [true, false]);
});

test('onScreen: false until in view, onShow when it shows, false in a hidden tab', () => {
  browser('<div id="chart-a"></div>');
  let shows = 0;
  const onShow = () => { shows += 1; };
  assert.equal(D.onScreen('chart-a', onShow), false, 'jsdom lays nothing out: it starts off screen');
  assert.equal(D.onScreen('nothing-here', onShow), false, 'no element: nothing to draw into');
  assert.equal(observers.length, 1);
  D.onScreen('chart-a', onShow);
  assert.equal(observers.length, 1, 'one watch per element, not one per call');
  observers[0].fire(true);
  assert.equal(shows, 1);
  assert.equal(D.onScreen('chart-a', onShow), true);
  setHidden(true);
  assert.equal(D.onScreen('chart-a', onShow), false, 'a hidden tab draws nothing');
  setHidden(false);
  observers[0].fire(false);
  assert.equal(D.onScreen('chart-a', onShow), false);
  assert.equal(shows, 1, 'leaving the view shows nothing');
});

test('onScreen follows the element the page has now: a redrawn node gets a new watch', () => {
  browser('<div id="chart-b"></div>');
  D.onScreen('chart-b', () => {});
  const first = observers[0];
  first.fire(true);
  const again = document.createElement('div');
  again.id = 'chart-b';
  document.getElementById('chart-b').replaceWith(again); // Dash drew the graph's node anew
  assert.equal(D.onScreen('chart-b', () => {}), false, 'the new node is not known to be in view yet');
  assert.equal(first.disconnected, true, 'the old node\'s observer is let go');
  assert.equal(observers.length, 2);
  assert.deepEqual(observers[1].targets, [again]);
  observers[1].fire(true);
  assert.equal(D.onScreen('chart-b', () => {}), true);
});

test('onScreen without IntersectionObserver (an old browser) always draws', () => {
  browser('<div id="chart-c"></div>');
  const saved = globalThis.IntersectionObserver;
  delete globalThis.IntersectionObserver;
  try {
    assert.equal(D.onScreen('chart-c', () => {}), true);
  } finally {
    globalThis.IntersectionObserver = saved;
  }
});
