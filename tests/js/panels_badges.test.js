// The panels Dash renders from clientside callbacks (health, status, theme, export), in a jsdom page with
// the real client's ctx and connection (connection.js): what each writes through the bridge, and when.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const F = require('../../assets/client/format.js');
const health = require('../../assets/client/panel_health.js');
const status = require('../../assets/client/panel_status.js');
const theme = require('../../assets/client/panel_theme.js');
const exporter = require('../../assets/client/panel_export.js');
const charts = require('../../assets/client/panel_charts.js');
const { browser, NO_UPDATE } = require('./jsdom_env.js');
const { page, deliver, connection, ago, NOW, CFG } = require('./panel_page.js');

/** A popover's detail rows as {label: value} (the Dash components the panels build). */
const rowsOf = (body) => Object.fromEntries(body.filter((c) => c.props.className === 'detail-row')
  .map((r) => [r.props.children[0].props.children, r.props.children[1].props.children]));
/** The last value written to `id`'s `prop` (undefined: never). */
const last = (writes, id, prop) => writes.filter(([i, p]) => i === id && prop in p).map(([, p]) => p[prop]).pop();
const badges = (writes, id) => writes.filter(([i, p]) => i === id && 'children' in p).map(([, p]) => p.children);

test('health view: state, class, icon and title of a report, its components in the popover', () => {
  const v = health.view({ state: 'degraded', message: 'disk slow', components: { db: 'ok', disk: 'slow' }, time: ago(5) });
  assert.deepEqual([v.state, v.className, v.icon, v.title], ['degraded', 'pill health-degraded', 'tabler:alert-triangle', 'System degraded: disk slow']);
  assert.deepEqual(rowsOf(v.body), { State: 'degraded', db: 'ok', disk: 'slow', Reported: F.clockTime(ago(5)) });
  assert.ok(v.body.some((c) => c.props.className === 'health-message' && c.props.children === 'disk slow'));
  assert.equal(health.view(null), null);
  assert.equal(health.view({ message: 'no state' }), null, 'a report without a state shows nothing');
  assert.equal(health.view({ state: 'rebooting' }).icon, 'tabler:heart-rate-monitor', 'a state of its own: a neutral icon');
  assert.equal(health.view({ state: '"><img src=x>' }).className, 'pill health----img-src-x-', 'a state never breaks out of the class');
});

test('health badge: the boot report, then system.status events; nothing written when nothing changed', () => {
  const { ctx, writes } = page();
  ctx.health = { state: 'healthy', time: ago(60) }; // GET /api/status at boot
  ctx.cfg = null;
  assert.equal(health.callbacks.update(), NO_UPDATE);
  assert.deepEqual(writes, [], 'before the page config: nothing');
  ctx.cfg = CFG;
  assert.equal(health.callbacks.update(), NO_UPDATE, 'its outputs are written through the bridge');
  assert.equal(last(writes, 'health-badge', 'children'), 'healthy');
  assert.equal(last(writes, 'health-pill', 'className'), 'pill health-healthy');
  assert.equal(last(writes, 'health-icon', 'icon'), 'tabler:circle-check');
  const n = writes.length;
  health.callbacks.update();
  assert.equal(writes.length, n, 'the same report again: no write, no re-render');
  deliver([['system.status', { state: 'down', message: 'database unreachable' }, 2], ['notification', { title: 'x' }, 1]]);
  health.callbacks.update();
  assert.equal(last(writes, 'health-badge', 'children'), 'down');
  assert.equal(last(writes, 'health-pill', 'title'), 'System down: database unreachable');
  assert.equal(ctx.health.state, 'down', 'the newest report is kept for the next boot-less update');
  assert.ok(health.wants({ type: 'system.status' }) && !health.wants({ type: 'notification' }));
});

test('health badge: every report shows, however soon the next one follows', () => {
  const { ctx, writes } = page();
  ctx.healthReports.push({ state: 'degraded', time: ago(2) }, { state: 'healthy', time: ago(1) }); // two health frames
  health.callbacks.update();
  assert.deepEqual(badges(writes, 'health-badge'), ['degraded', 'healthy']);
  assert.deepEqual(health.shown.slice(-2), ['degraded', 'healthy']);
  assert.equal(ctx.healthReports.length, 0, 'taken');
});

test('health badge: "unknown" while the server cannot be reached, the last report kept for when it answers', () => {
  const { ctx, writes } = page();
  ctx.health = { state: 'healthy', time: ago(60) };
  ctx.conn = connection();
  ctx.conn.start();
  ctx.conn.socketClosed();
  ctx.conn.polled(false); // no socket, and the polls fail
  deliver([['system.status', { state: 'degraded' }, 30]]); // arrived before the line went
  health.callbacks.update();
  assert.equal(last(writes, 'health-badge', 'children'), 'unknown', 'never the last report\'s state');
  assert.equal(last(writes, 'health-pill', 'className'), 'pill health-unknown');
  assert.equal(rowsOf(last(writes, 'health-popover-body', 'children'))['Last report'], 'degraded at ' + F.clockTime(ago(30)));
  ctx.conn.polled(true); // the server answers again
  health.callbacks.update();
  assert.equal(last(writes, 'health-badge', 'children'), 'degraded');
});

test('status details: transport, last message, delay, reconnects, seqs; "—" for what is not known', () => {
  const live = rowsOf(status.details({
    socketLive: true, lastMessageAt: NOW - 3000, lastEventAt: NOW - 20000, delayMs: 12.4, attempt: 0, connects: 3, lostFrames: 2, serverLastSeq: 0, lastSeq: 41,
  }, { label: 'Live', detail: '' }, 2000, NOW));
  assert.deepEqual(live, {
    State: 'Live', Transport: 'WebSocket', 'Last message': F.clockTime(NOW - 3000) + ' (just now)', 'Delivery delay': '12 ms',
    'Reconnect attempts': '0 (2 reconnects so far)', 'Lost frames backfilled': '2', 'Server last seq': '0', 'Page last seq': '41',
  });
  const polling = rowsOf(status.details({ polling: true, attempt: 2, connects: 1, serverLastSeq: null }, { label: 'Polling', detail: 'attempt 2/10' }, 2000, NOW));
  assert.equal(polling.State, 'Polling (attempt 2/10)');
  assert.equal(polling.Transport, 'REST polling every 2 s');
  assert.equal(polling['Reconnect attempts'], '2', 'one connect so far: no reconnects to count');
  const unknown = rowsOf(status.details({}, { label: 'Connecting', detail: '' }, 2000, NOW));
  assert.deepEqual([unknown.Transport, unknown['Last message'], unknown['Delivery delay'], unknown['Server last seq'], unknown['Page last seq']],
    ['—', '—', '—', '—', '0']);
});

test('status badge: follows the real connection through connecting, live and polling', () => {
  const { ctx, writes } = page();
  ctx.conn = connection();
  ctx.conn.start();
  ctx.cfg = null;
  assert.equal(status.callbacks.update(), NO_UPDATE);
  assert.deepEqual(writes, [], 'before the page config: nothing');
  ctx.cfg = CFG;
  assert.equal(status.callbacks.update(), NO_UPDATE);
  assert.equal(last(writes, 'status-badge', 'children'), 'Connecting');
  assert.equal(last(writes, 'status-icon', 'className'), 'spin');
  ctx.conn.hello(30);
  status.callbacks.update();
  assert.equal(last(writes, 'status-badge', 'children'), 'Live');
  assert.equal(last(writes, 'status-pill', 'className'), 'pill state-live');
  assert.deepEqual([last(writes, 'status-icon', 'icon'), last(writes, 'status-icon', 'className')], ['tabler:broadcast', '']);
  assert.equal(rowsOf(last(writes, 'status-popover-body', 'children')).Transport, 'WebSocket');
  ctx.conn.socketClosed();
  ctx.conn.polled(true);
  status.callbacks.update();
  assert.equal(last(writes, 'status-badge', 'children'), 'Polling');
  assert.match(last(writes, 'status-detail', 'children'), /^attempt 1\/10 · next try in \d+ s$/);
  assert.equal(rowsOf(last(writes, 'status-popover-body', 'children')).Transport, 'REST polling every 2 s');
});

test('status tick: marks the badge dirty only while not live or while its popover is open', () => {
  const { ctx, dirty } = page();
  status.tick(ctx);
  assert.deepEqual(dirty, ['status'], 'no connection yet: the badge counts down');
  ctx.conn = connection();
  ctx.conn.start();
  ctx.conn.hello(30);
  status.tick(ctx);
  assert.deepEqual(dirty, ['status'], 'live, popover closed: a quiet second writes nothing');
  const body = document.createElement('div');
  body.id = 'status-popover-body';
  document.body.appendChild(body); // the popover opened: its "last message 2 s ago" line moves
  status.tick(ctx);
  assert.deepEqual(dirty, ['status', 'status']);
  body.remove();
  ctx.conn.socketClosed();
  status.tick(ctx);
  assert.equal(dirty.length, 3, 'polling: the countdown moves');
});

test('theme: aria-pressed says whether the light theme is on; a click switches (assets/01_theme.js)', () => {
  const win = browser('', { runScripts: 'outside-only', url: 'http://localhost/' });
  assert.equal(theme.callbacks.toggle(0), 'false', 'no theme script: the dark default');
  win.eval(fs.readFileSync(path.join(__dirname, '..', '..', 'assets', '01_theme.js'), 'utf8')); // the page's own theme script
  assert.equal(theme.callbacks.toggle(undefined), 'false', 'the first call reports the theme applied, switching nothing');
  assert.equal(document.documentElement.getAttribute('data-bs-theme'), 'dark');
  assert.equal(theme.callbacks.toggle(1), 'true');
  assert.equal(document.documentElement.getAttribute('data-bs-theme'), 'light');
  assert.equal(win.localStorage.getItem('mova-theme'), 'light', 'remembered');
  assert.equal(theme.callbacks.toggle(2), 'false');
  assert.deepEqual([theme.pressed('light'), theme.pressed('dark'), theme.pressed(undefined)], ['true', 'false', 'false']);
});

test('export link: the chosen series, range and format; "as on the charts" for the window they show', () => {
  assert.deepEqual(exporter.link(CFG, [], '1h', 'csv', 'long', null), [null, 'Pick at least one series']);
  assert.deepEqual(exporter.link(CFG, ['cpu', 'mem'], '1h', 'parquet', 'wide', null),
    ['/api/metrics/export?series=cpu&series=mem&since=3600&format=parquet&layout=wide', '2 series · last 1h 00m · parquet · wide']);
  assert.equal(exporter.link(CFG, ['cpu'], 'nope', null, null, null)[1], '1 series · last 5m 00s · csv · long', 'unknown range: the live window');
  const shown = { range: '1h', sinceMs: NOW - 3600000, untilMs: NOW, maxPoints: 120 };
  const [href, summary] = exporter.link(CFG, ['cpu'], '1h', 'csv', 'long', shown);
  assert.equal(href, '/api/metrics/export?series=cpu&since=2026-11-26T13%3A00%3A00.000Z&until=2026-11-26T14%3A00%3A00.000Z&format=csv&layout=long&max_points=120');
  assert.equal(summary, '1 series · ' + F.clockTime(NOW - 3600000) + '–' + F.clockTime(NOW) + ' as on the charts (their averages) · csv · long');
  assert.match(exporter.link(CFG, ['cpu'], '24h', 'csv', 'long', shown)[0], /since=86400&/, 'another range picked in the dialog: seconds back');
});

test('export dialog: opening takes the charts\' view, less a series hidden from its legend', () => {
  const { ctx } = page('<div id="chart-sys"><div class="js-plotly-plot"></div></div>');
  ctx.serverNow = () => NOW;
  window.mova.panels.charts = charts;
  const config = Object.assign({}, CFG, { charts: { 'chart-sys': { series: ['cpu', 'mem', 'disk'] } } });
  assert.deepEqual(exporter.callbacks.open(0, '1h', false, config), [NO_UPDATE, NO_UPDATE, NO_UPDATE], 'no click: nothing');
  assert.deepEqual(exporter.callbacks.open(1, '1h', true, config), [false, NO_UPDATE, NO_UPDATE], 'a click on an open dialog closes it');
  charts.state.view = { range: '1h', sinceMs: NOW - 3600000, bucketMs: 30000, maxPoints: 120 }; // the charts loaded 1 h averaged
  ['cpu', 'mem'].forEach((s) => charts.known.add(s)); // 'disk' never reported: not offered
  document.querySelector('#chart-sys .js-plotly-plot').data = [{}, { visible: 'legendonly' }, {}]; // mem hidden
  assert.deepEqual(exporter.callbacks.open(1, 'live', false, config), [true, '1h', ['cpu']]);
  const [href, summary] = exporter.callbacks.link(['cpu'], '1h', 'csv', 'long', true, config);
  assert.match(href, /since=2026-11-26T13%3A00%3A00\.000Z&until=2026-11-26T14%3A00%3A00\.000Z&.*&max_points=120$/);
  assert.match(summary, /as on the charts/);
  assert.equal(exporter.wants({ type: 'anything' }), false, 'user actions only: no event marks it dirty');
});
