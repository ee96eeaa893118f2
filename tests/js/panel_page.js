// The page the panels run in, for their node tests: a jsdom document holding the panels' containers,
// dash_clientside recording set_props, and the real client (client.js) whose `ctx` the panels read
// (window.mova.client.ctx), reset as a boot leaves it: the page config's ids, a fresh event window and
// live state (live_state.js), the server's clock at NOW. ctx.markDirty is recorded in `dirty`.
'use strict';
const B = require('../../assets/client/bridge.js');
const Conn = require('../../assets/client/connection.js');
const EventWindow = require('../../assets/client/event_window.js');
const Live = require('../../assets/client/live_state.js');
// loaded while there is no window yet: in the page client.js starts itself on load, here the test drives it
const client = require('../../assets/client/client.js');
const serverNow = client.ctx.serverNow; // the client's clock: a test may stop it, the next page restores it
const { browser, dash } = require('./jsdom_env.js');

const NOW = Date.parse('2026-11-26T14:00:00.000Z');

// components/ids.py, by the names client_config hands the page (ids.as_config: the constant in lower case)
const IDS = {
  presence: 'presence', presence_count: 'presence-count', plugins: 'plugins', plugins_count: 'plugins-count',
  health_badge: 'health-badge', health_pill: 'health-pill', health_icon: 'health-icon', health_popover_body: 'health-popover-body',
  status_badge: 'status-badge', status_detail: 'status-detail', status_pill: 'status-pill', status_icon: 'status-icon',
  status_popover_body: 'status-popover-body',
};

// what components/client.py client_config gives the panels tested here
const CFG = {
  ids: IDS, panels: {}, poll_interval_ms: 2000, heartbeat_s: 30, max_reconnect_tries: 10, live_window_s: 300,
  ranges: { live: 300, '1h': 3600, '24h': 86400 }, charts: {}, custom_chart: 'chart-custom', collector_interval_s: 1,
};

/** The page: `html` in the body; returns {ctx, writes, dirty, client}. */
function page(html) {
  const win = browser(html);
  const { writes } = dash(B);
  const dirty = [];
  const ctx = client.ctx;
  Object.assign(ctx, {
    cfg: CFG, ids: IDS, window: EventWindow.create(2000), live: Live.create(), health: null, conn: null,
    clockOffsetMs: NOW - Date.now(), serverNow, markDirty: (name) => dirty.push(name),
  });
  ctx.healthReports.length = 0;
  win.mova = { client, panels: {} };
  return { ctx, writes, dirty, client };
}

/** `seconds` before NOW, as an event's time. */
const ago = (seconds) => new Date(NOW - seconds * 1000).toISOString();

let seq = 0;
/** Events as the server stores them (seq numbered in order), into the page's one merge (client.js deliver: scheduler.js). */
function deliver(list) {
  client.deliver(list.map(([type, data, secondsAgo]) => ({ seq: (seq += 1), type, data, source: 'api', time: ago(secondsAgo || 0) })), 'websocket');
}

/** A real connection (connection.js) with effects that do nothing: a test moves it by its own methods. */
function connection() {
  const none = () => {};
  return Conn.create({ open: none, ping: none, poll: none, later: () => null, cancel: none, onChange: none });
}

module.exports = { page, deliver, connection, ago, NOW, IDS, CFG };
