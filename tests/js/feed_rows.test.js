// assets/client/feed_rows.js: a feed row as DOM (in jsdom) and a category chip as a Dash component.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { JSDOM } = require('jsdom');

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
global.window = window;
global.document = window.document;
const R = require('../../assets/client/feed_rows.js');

const now = Date.parse('2026-11-26T14:05:00Z');
const ev = (type, data, extra = {}) => Object.assign({ seq: 7, type, data, source: 'api', time: '2026-11-26T14:00:00.000Z' }, extra);

test('a row shows the title, detail, type button, actor and time; event text is never parsed as HTML', () => {
  const row = R.row(ev('user.activity', { user: '<b onmouseover=x>ana</b>', action: 'exported', target: 'a.csv' }), now);
  assert.equal(row.className, 'feed-item cat-user');
  assert.deepEqual([row.dataset.seq, row.dataset.category], ['7', 'user']);
  assert.equal(row.querySelector('.feed-title').textContent, '<b onmouseover=x>ana</b> exported a.csv');
  assert.equal(row.querySelector('b'), null, 'no element made from event text');
  assert.equal(row.querySelector('.feed-actor').textContent, '<b onmouseover=x>ana</b>');
  const only = row.querySelector('button.feed-only');
  assert.deepEqual([only.textContent, only.dataset.only, only.type], ['user.activity', 'user', 'button']);
  assert.equal(row.querySelector('.feed-detail'), null, 'no detail line when there is none');
  assert.equal(row.movaTime.textContent, '5m ago');
  assert.equal(row.movaTime, row.querySelector('.feed-time'), 'the time node is the row\'s own: refreshed in place');
});

test('a row of a new category: its class is made safe, the detail shows', () => {
  const row = R.row(ev('Deploy Done', { title: 'Deployed', env: 'prod' }), now);
  assert.equal(row.className, 'feed-item cat-deploy-done');
  assert.equal(row.querySelector('.feed-detail').textContent, 'env prod');
});

test('a chip is a Dash component description: icon and name, the category as its value', () => {
  const chip = R.chip('ml');
  assert.equal(chip.value, 'ml');
  assert.equal(chip.label.props.className, 'chip cat-ml');
  const [icon, name] = chip.label.props.children;
  assert.deepEqual([icon.type, icon.namespace, icon.props.icon], ['DashIconify', 'dash_iconify', 'tabler:brain']);
  assert.equal(name.props.children, 'ml');
});
