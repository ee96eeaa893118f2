// assets/client/panel_notifications.js: toasts never pile up over the page (issue 15, point 7).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const N = require('../../assets/client/panel_notifications.js');

const note = (seq, level) => ({ seq, type: 'notification', time: '2026-01-01T00:00:00Z', data: { title: 'n' + seq, message: 'm' + seq, level } });
const titles = (toasts) => toasts.map((t) => t.props.id + ':' + t.props.header[1].props.children);

test('errors collapse into one counted toast; at most MAX_TOASTS show; nothing from before the page loaded', () => {
  let s = N.stack([], [note(1, 'error'), note(2, 'info')], 0, 1);
  assert.deepEqual(titles(s.toasts), ['toast-2:n2'], 'seq 1 was already there when the page loaded');
  s = N.stack(s.toasts, [3, 4, 5, 6].map((q) => note(q, 'error')).concat([note(7, 'info'), note(8, 'success'), note(9, 'warning')]), s.errors, 1);
  assert.equal(s.toasts.length, N.MAX_TOASTS);
  assert.deepEqual(titles(s.toasts), ['toast-errors:n6', 'toast-8:n8', 'toast-9:n9'], 'the error toast first, then the newest others');
  assert.equal(s.errors, 4);
  const errors = s.toasts[0];
  assert.equal(errors.props.header[2].props.children, '4', 'the count of errors shows');
  assert.equal(errors.props.duration, undefined, 'errors stay until closed');
  assert.equal(s.toasts[1].props.duration, 5000);
  s = N.stack(s.toasts, [note(10, 'error')], s.errors, 1);
  assert.equal(s.toasts[0].props.header[2].props.children, '5');
  // closed by the user: the next error starts a new count
  const closed = s.toasts.map((t) => (t.props.id === 'toast-errors' ? Object.assign({}, t, { props: Object.assign({}, t.props, { is_open: false }) }) : t));
  s = N.stack(closed, [note(11, 'error')], s.errors, 1);
  assert.equal(s.errors, 1);
  assert.equal(s.toasts[0].props.header.length, 2, 'one error: no count');
});
