/*
 * MOVA Live: the browser live client and the clientside callbacks of every panel.
 *
 * One path (DESIGN.md §5): socket frames and poll responses both go through
 * `deliver`, which merges by seq and writes the new events into ONE store
 * (mova-events, a sliding window). Each panel (feed, bell, toasts, charts,
 * health) is a clientside callback of that store and keeps its own cursor, so
 * two writes coalesced by Dash before a panel runs lose nothing.
 *
 * The connection state machine lives in `S`: REST first (status + recent
 * events), then the socket with after=<last seq>; on close, reconnect with
 * backoff and jitter by changing the socket's url (the component never
 * reconnects by itself: NOTES.md) while polling /api/events; a jump in the
 * frame counter `n` or a gap frame backfills from REST before going on.
 *
 * Event text is only ever passed as React children or attributes (component
 * dicts), never as HTML.
 */
(function () {
  'use strict';
  const H = window.movaHelpers;
  const dc = (window.dash_clientside = window.dash_clientside || {});

  const ID = {
    config: 'mova-config', socket: 'mova-ws', events: 'mova-events', connection: 'mova-connection',
    poll: 'mova-poll', feed: 'activity-feed', feedFilter: 'feed-filter', feedLive: 'feed-live',
    feedNew: 'feed-new', feedNewText: 'feed-new-text', series: 'metrics-series', health: 'health-badge',
  };
  const STORE_WINDOW = 2000; // events the store keeps for panels that have not run yet
  const RECENT_POINTS = 900; // live points kept per series, merged into freshly loaded history
  const BOOT_RETRY_MS = 3000;

  const S = {
    cfg: null, started: false, epoch: null,
    lastSeq: 0, bootSeq: 0, window: [], rev: 0,
    // socket
    connectCount: 0, socketLive: false, everLive: false, lost: false, lastN: 0,
    attempt: 0, failed: 0, nextTryAt: null, retryTimer: null,
    heartbeatS: 30, lastMessageAt: null, lastPingAt: 0, pingCount: 0, lostFrames: 0,
    chain: Promise.resolve(),
    // polling
    polling: false, pollOk: null, pollInFlight: false,
    // what the badge shows
    transport: null, lastEventAt: null, delayMs: null, clockOffsetMs: 0, serverLastSeq: null,
    health: null,
    // panels
    cursors: { feed: 0, notes: 0, toasts: 0, charts: 0, health: 0 },
    feed: [], feedCap: 50, feedFollowing: true, feedUnseen: 0, categories: [], olderDone: false,
    notes: [],
    paused: false, pending: {}, pendingCount: 0, maxPoints: {}, recent: {}, knownSeries: new Set(),
    customSeries: null,
  };

  // -- small utilities -----------------------------------------------------------------

  function noUpdate(n) {
    return n === 1 ? dc.no_update : Array.from({ length: n }, () => dc.no_update);
  }

  function setProps(id, props) {
    if (dc.set_props) dc.set_props(id, props);
  }

  function triggered() {
    const ctx = dc.callback_context;
    return ctx && ctx.triggered && ctx.triggered.length ? ctx.triggered.map((t) => t.prop_id) : [];
  }

  function comp(type, namespace, props, children) {
    const p = Object.assign({}, props);
    if (children !== undefined) p.children = Array.isArray(children) ? children.filter((c) => c !== null && c !== undefined && c !== '') : children;
    return { type, namespace, props: p };
  }
  const div = (props, children) => comp('Div', 'dash_html_components', props, children);
  const span = (props, children) => comp('Span', 'dash_html_components', props, children);
  const button = (props, children) => comp('Button', 'dash_html_components', props, children);
  const ico = (name, size, extra) =>
    comp('DashIconify', 'dash_iconify', Object.assign({ icon: 'tabler:' + name, width: size || 16, height: size || 16 }, extra || {}));

  async function getJSON(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('GET ' + path + ' answered ' + response.status);
    return response.json();
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const serverNow = () => Date.now() + S.clockOffsetMs;

  function wsBase() {
    return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/ws';
  }

  function feedTypes() {
    // the feed's history pages: every category but the per-second metric samples
    const cats = new Set((S.cfg ? S.cfg.categories : []).concat(S.categories));
    cats.delete('system');
    return Array.from(cats).concat(['system.status', 'system.health']);
  }

  // -- the one merge path ------------------------------------------------------------------

  /** Merge events from any source into the one store; returns how many were new. */
  function deliver(events, via, history) {
    const merged = H.mergeBySeq(S.lastSeq, events);
    S.lastSeq = merged.lastSeq;
    if (!merged.fresh.length) return 0;
    if (!history) {
      const last = merged.fresh[merged.fresh.length - 1];
      S.lastEventAt = Date.now();
      S.transport = via;
      S.delayMs = Math.max(0, serverNow() - H.toMs(last.time));
    }
    S.window = H.slideWindow(S.window, merged.fresh, STORE_WINDOW);
    S.rev += 1;
    setProps(ID.events, { data: { rev: S.rev, last_seq: S.lastSeq, events: S.window } });
    return merged.fresh.length;
  }

  /** Everything after our last seq from REST, page by page (backfill and polling). */
  async function fetchAfter(via) {
    for (let page = 0; page < 100; page += 1) {
      const body = await getJSON('/api/events?limit=1000&after=' + S.lastSeq);
      S.serverLastSeq = body.last_seq;
      deliver(body.events, via, false);
      if (!body.more || !body.events.length) return;
    }
  }

  function snapshot() {
    return {
      started: S.started, socketLive: S.socketLive, everLive: S.everLive, lost: S.lost, pollOk: S.pollOk,
      polling: S.polling, attempt: S.attempt, failed: S.failed, maxTries: S.cfg ? S.cfg.max_reconnect_tries : 10,
      nextTryAt: S.nextTryAt, transport: S.transport, lastMessageAt: S.lastMessageAt, lastEventAt: S.lastEventAt,
      delayMs: S.delayMs, serverLastSeq: S.serverLastSeq, lastSeq: S.lastSeq, connects: S.connectCount,
      lostFrames: S.lostFrames, heartbeatS: S.heartbeatS, pings: S.pingCount,
    };
  }

  function publish() {
    setProps(ID.connection, { data: snapshot() });
    feedIndicator();
  }

  // -- boot: REST first, then the socket ----------------------------------------------------

  async function loadInitial() {
    const status = await getJSON('/api/status');
    S.epoch = status.epoch;
    S.serverLastSeq = status.last_seq;
    S.clockOffsetMs = H.toMs(status.server_time) - Date.now();
    S.health = status.health || null;
    const before = '/api/events?before=' + (status.last_seq + 1);
    const types = feedTypes().map((t) => '&type=' + encodeURIComponent(t)).join('');
    const pages = await Promise.all([
      getJSON(before + '&limit=100'),
      getJSON(before + '&limit=' + S.cfg.feed_max_items + types),
      getJSON(before + '&limit=' + S.cfg.notifications_max * 3 + '&type=notification&type=alert'),
    ]);
    S.bootSeq = status.last_seq;
    const history = [].concat(pages[0].events, pages[1].events, pages[2].events);
    if (!deliver(history, 'rest', true)) {
      // nothing to show: still tell the panels (health, empty states) that the page is loaded
      S.rev += 1;
      setProps(ID.events, { data: { rev: S.rev, last_seq: status.last_seq, events: S.window } });
    }
    S.lastSeq = Math.max(S.lastSeq, status.last_seq);
  }

  async function boot(config) {
    if (!config || S.started) return;
    S.cfg = config;
    S.started = true;
    S.feedCap = config.feed_max_items;
    publish();
    for (;;) {
      try {
        await loadInitial();
        break;
      } catch (err) {
        console.warn('MOVA: initial load failed, retrying:', err && err.message);
        S.pollOk = false;
        S.failed += 1;
        S.attempt = Math.max(S.attempt, 1);
        publish();
        await sleep(BOOT_RETRY_MS);
      }
    }
    connect();
  }

  // -- socket ---------------------------------------------------------------------------------

  function connect() {
    clearTimeout(S.retryTimer);
    S.retryTimer = null;
    S.nextTryAt = null;
    S.connectCount += 1;
    S.lastN = 0;
    // a new url is the only way to make the component open a new socket (NOTES.md)
    setProps(ID.socket, { url: wsBase() + '?after=' + S.lastSeq + '&c=' + S.connectCount });
    publish();
  }

  function scheduleReconnect() {
    S.attempt += 1;
    const delay = H.backoffDelay(S.attempt, { maxTries: S.cfg.max_reconnect_tries });
    S.nextTryAt = Date.now() + delay;
    clearTimeout(S.retryTimer);
    S.retryTimer = setTimeout(connect, delay);
  }

  function markLive() {
    if (S.socketLive) return;
    S.socketLive = true;
    S.everLive = true;
    S.lost = false;
    S.attempt = 0;
    S.failed = 0;
    S.nextTryAt = null;
    S.transport = 'websocket';
    S.lastPingAt = Date.now();
    stopPolling();
  }

  function socketDown() {
    const wasLive = S.socketLive;
    S.socketLive = false;
    if (wasLive) {
      S.lost = true;
      S.attempt = 0;
      S.failed = 0;
    } else {
      S.failed += 1;
    }
    scheduleReconnect();
    startPolling();
    publish();
  }

  async function handleFrame(frame) {
    S.lastMessageAt = Date.now();
    switch (frame.kind) {
      case 'hello':
        if (S.epoch && frame.epoch && frame.epoch !== S.epoch) {
          // the server has a new store: every seq we hold means something else now
          window.location.reload();
          return;
        }
        S.heartbeatS = frame.heartbeat_s || S.heartbeatS;
        S.serverLastSeq = frame.last_seq;
        if (frame.server_time) S.clockOffsetMs = H.toMs(frame.server_time) - Date.now();
        markLive();
        break;
      case 'events':
        markLive();
        if (H.frameStatus(S.lastN, frame.n) === 'lost') {
          S.lostFrames += 1;
          await fetchAfter('websocket');
        }
        S.lastN = frame.n || S.lastN + 1;
        deliver(frame.events, 'websocket', false);
        if (S.serverLastSeq === null || S.lastSeq > S.serverLastSeq) S.serverLastSeq = S.lastSeq;
        break;
      case 'gap':
        markLive();
        S.lastN = frame.n || S.lastN + 1;
        await fetchAfter('websocket');
        break;
      case 'pong':
        markLive();
        break;
      case 'error':
        console.warn('MOVA: server said', frame.error);
        break;
      default:
        break;
    }
    publish();
  }

  // -- polling fallback ---------------------------------------------------------------------------

  function startPolling() {
    if (!S.polling) {
      S.polling = true;
      setProps(ID.poll, { disabled: false });
    }
    pollOnce();
  }

  function stopPolling() {
    if (S.polling) {
      S.polling = false;
      setProps(ID.poll, { disabled: true });
    }
    S.pollOk = null;
  }

  async function pollOnce() {
    if (S.socketLive || S.pollInFlight || !S.polling) return;
    S.pollInFlight = true;
    const wasDown = S.pollOk === false;
    try {
      await fetchAfter('rest');
      if (S.socketLive) return;
      S.pollOk = true;
      S.transport = 'rest';
      // the server answers again: try the socket now rather than at the end of a long backoff
      if (wasDown) connect();
    } catch (err) {
      S.pollOk = false;
    } finally {
      S.pollInFlight = false;
      publish();
    }
  }

  // -- heartbeat: ping, and reconnect when silent for two heartbeats ------------------------------

  function heartbeat() {
    if (!S.socketLive) return;
    const now = Date.now();
    const beat = S.heartbeatS * 1000;
    if (S.lastMessageAt && now - S.lastMessageAt > 2 * beat) {
      console.warn('MOVA: nothing from the socket for two heartbeats, reconnecting');
      S.socketLive = false;
      S.lost = true;
      S.attempt = 1;
      S.failed = 0;
      startPolling();
      connect();
      return;
    }
    if (now - S.lastPingAt >= beat) {
      S.lastPingAt = now;
      S.pingCount += 1;
      // the counter makes each send differ: the component sends nothing for a repeated value
      setProps(ID.socket, { send: JSON.stringify({ kind: 'ping', id: S.pingCount }) });
    }
  }

  // -- panels: badge -------------------------------------------------------------------------------

  function detailRow(label, value) {
    return div({ className: 'detail-row' }, [span({ className: 'detail-label' }, label), span({ className: 'detail-value' }, value)]);
  }

  function badge(conn) {
    const c = conn || snapshot();
    const now = Date.now();
    const view = H.connectionView(c, now);
    const transport = c.socketLive ? 'WebSocket' : c.polling ? 'REST polling every ' + (S.cfg ? S.cfg.poll_interval_ms / 1000 : 2) + ' s' : '—';
    const body = [
      detailRow('State', view.label + (view.detail ? ' (' + view.detail + ')' : '')),
      detailRow('Transport', transport),
      detailRow('Last message', c.lastMessageAt || c.lastEventAt
        ? H.clockTime(Math.max(c.lastMessageAt || 0, c.lastEventAt || 0)) + ' (' + H.relativeTime(Math.max(c.lastMessageAt || 0, c.lastEventAt || 0), now) + ')'
        : '—'),
      detailRow('Delivery delay', Number.isFinite(c.delayMs) ? Math.round(c.delayMs) + ' ms' : '—'),
      detailRow('Reconnect attempts', String(c.attempt || 0) + (c.connects > 1 ? ' (' + (c.connects - 1) + ' reconnects so far)' : '')),
      detailRow('Lost frames backfilled', String(c.lostFrames || 0)),
      detailRow('Server last seq', c.serverLastSeq === null || c.serverLastSeq === undefined ? '—' : String(c.serverLastSeq)),
      detailRow('Page last seq', String(c.lastSeq || 0)),
    ];
    const spinning = view.state === 'connecting' || view.state === 'reconnecting';
    return [
      view.label,
      view.detail,
      'pill state-' + view.state,
      'tabler:' + view.icon,
      spinning ? 'spin' : '',
      body,
    ];
  }

  // -- panels: health --------------------------------------------------------------------------------

  const HEALTH_ICONS = { healthy: 'circle-check', degraded: 'alert-triangle', down: 'circle-x' };

  function health(data) {
    if (data) {
      const fresh = H.after(data.events, S.cursors.health);
      if (fresh.length) S.cursors.health = fresh[fresh.length - 1].seq;
      fresh.filter((e) => e.type === 'system.status').forEach((e) => {
        S.health = Object.assign({}, e.data, { time: e.time });
      });
    }
    if (!S.health || !S.health.state) return noUpdate(4);
    const state = S.health.state;
    const title = 'System ' + state + (S.health.message ? ': ' + S.health.message : '');
    return [state, 'pill health-' + H.cssToken(state), 'tabler:' + (HEALTH_ICONS[state] || 'heart-rate-monitor'), title];
  }

  // -- panels: activity feed ----------------------------------------------------------------------------

  function feedRow(event, now) {
    const category = H.categoryOf(event.type);
    const d = H.describe(event);
    return div(
      { className: 'feed-item cat-' + H.cssToken(category), key: String(event.seq), 'data-seq': String(event.seq), 'data-category': category },
      [
        div({ className: 'feed-icon' }, ico(H.categoryIcon(category), 16)),
        div({ className: 'feed-main' }, [
          div({ className: 'feed-title', title: d.title }, d.title || event.type),
          d.detail ? div({ className: 'feed-detail' }, d.detail) : null,
          div({ className: 'feed-meta' }, [
            span({ className: 'feed-type' }, event.type),
            span({ className: 'feed-actor' }, H.actorOf(event)),
            span({ className: 'feed-time', title: event.time }, H.relativeTime(event.time, now)),
          ]),
        ]),
      ],
    );
  }

  function chip(category) {
    return {
      label: span({ className: 'chip cat-' + H.cssToken(category) }, [ico(H.categoryIcon(category), 14), span({}, category)]),
      value: category,
    };
  }

  function noteCategories(events, filterValue) {
    const known = new Set((S.cfg ? S.cfg.categories : []).concat(S.categories));
    const added = [];
    events.forEach((e) => {
      const c = H.categoryOf(e.type);
      if (!known.has(c)) {
        known.add(c);
        added.push(c);
      }
    });
    if (!added.length) return filterValue;
    S.categories = S.categories.concat(added);
    const all = S.cfg.categories.concat(S.categories);
    const value = (filterValue || []).concat(added);
    setProps(ID.feedFilter, { options: all.map(chip), value });
    return value;
  }

  function attachFeedScroll() {
    const el = document.getElementById(ID.feed);
    if (!el || el.dataset.movaScroll) return;
    el.dataset.movaScroll = '1';
    el.addEventListener('scroll', () => {
      const following = el.scrollTop < 16;
      if (following !== S.feedFollowing) {
        S.feedFollowing = following;
        if (following) S.feedUnseen = 0;
        feedIndicator();
      }
    }, { passive: true });
  }

  function feedIndicator() {
    const live = S.socketLive || S.pollOk === true;
    const state = !live ? 'offline' : S.feedFollowing ? 'live' : 'paused';
    const label = { live: 'Live', paused: 'Paused', offline: 'Offline' }[state];
    const key = state + ':' + (S.feedFollowing ? 0 : S.feedUnseen);
    if (key === S.feedIndicatorKey) return;
    S.feedIndicatorKey = key;
    setProps(ID.feedLive, { className: 'live-indicator is-' + state });
    setProps(ID.feedLive + '-text', { children: label });
    setProps(ID.feedNew, { className: S.feedUnseen > 0 && !S.feedFollowing ? 'feed-new' : 'feed-new is-hidden' });
    setProps(ID.feedNewText, { children: S.feedUnseen + ' new' });
  }

  function feed(data, filterValue, search, tick) {
    const trig = triggered();
    if (trig.length === 1 && trig[0].indexOf('mova-tick') === 0 && tick % 10 !== 0) return noUpdate(2);
    if (!S.cfg) return noUpdate(2);
    let value = filterValue;
    if (data && data.events) {
      const fresh = H.after(data.events, S.cursors.feed);
      if (fresh.length) {
        S.cursors.feed = fresh[fresh.length - 1].seq;
        const excluded = new Set(S.cfg.feed_excluded_types);
        const rows = fresh.filter((e) => !excluded.has(e.type));
        value = noteCategories(rows, filterValue);
        S.feed = H.insertNewestFirst(S.feed, rows, S.feedCap);
        if (!S.feedFollowing && data.rev > 1) {
          S.feedUnseen += rows.filter((e) => e.seq > S.bootSeq).length;
          feedIndicator();
        }
      }
    }
    attachFeedScroll();
    const now = serverNow();
    const shown = H.feedView(S.feed, value, search);
    const children = shown.length
      ? shown.map((e) => feedRow(e, now))
      : [div({ className: 'empty-state' }, S.feed.length ? 'No event matches the filter' : 'Waiting for events…')];
    const count = shown.length === S.feed.length ? String(S.feed.length) : shown.length + ' of ' + S.feed.length;
    if (S.feedFollowing) {
      // stay at the newest row; when the user has scrolled away, the browser keeps their place
      window.requestAnimationFrame(() => {
        const el = document.getElementById(ID.feed);
        if (el && S.feedFollowing) el.scrollTop = 0;
      });
    }
    return [children, count];
  }

  async function feedOlder(clicks, rev) {
    if (!clicks || !S.cfg) return noUpdate(3);
    const oldest = S.feed.length ? S.feed[S.feed.length - 1].seq : S.bootSeq + 1;
    const types = feedTypes().map((t) => '&type=' + encodeURIComponent(t)).join('');
    try {
      const body = await getJSON('/api/events?before=' + oldest + '&limit=' + S.cfg.feed_max_items + types);
      const excluded = new Set(S.cfg.feed_excluded_types);
      const rows = body.events.filter((e) => !excluded.has(e.type));
      S.feed = H.insertNewestFirst(S.feed, rows, 0);
      S.feedCap = Math.max(S.feedCap, S.feed.length);
      const done = !body.more;
      return [(rev || 0) + 1, done, done ? 'No older events' : 'Load older'];
    } catch (err) {
      console.warn('MOVA: loading older events failed:', err && err.message);
      return [dc.no_update, false, 'Load older (failed, retry)'];
    }
  }

  function feedJump(clicks) {
    if (!clicks) return;
    const el = document.getElementById(ID.feed);
    if (el) el.scrollTo({ top: 0, behavior: 'smooth' });
    S.feedFollowing = true;
    S.feedUnseen = 0;
    feedIndicator();
  }

  // -- panels: notification centre --------------------------------------------------------------------

  function noteItem(entry, now) {
    const e = entry.event;
    const level = H.levelOf(e);
    const d = H.describe(e);
    const kind = e.type === 'alert' ? 'alert · ' + ((e.data && e.data.severity) || '') : 'notification';
    return div({ className: 'notif-item lvl-' + level + (entry.unread ? ' is-unread' : ''), key: String(e.seq), 'data-seq': String(e.seq) }, [
      div({ className: 'notif-icon' }, ico(H.levelIcon(level), 18)),
      div({ className: 'notif-main' }, [
        div({ className: 'notif-title' }, d.title),
        d.detail ? div({ className: 'notif-message' }, d.detail) : null,
        div({ className: 'notif-meta' }, [span({}, kind), span({ title: e.time }, H.relativeTime(e.time, now))]),
      ]),
      button({ id: { type: 'notification-remove', seq: e.seq }, className: 'notif-remove', title: 'Remove', type: 'button', n_clicks: 0 }, ico('x', 14)),
    ]);
  }

  function notifications(data, state, tick) {
    const trig = triggered();
    if (trig.length === 1 && trig[0].indexOf('mova-tick') === 0 && tick % 10 !== 0) return noUpdate(3);
    if (!S.cfg) return noUpdate(3);
    if (data && data.events) {
      const fresh = H.after(data.events, S.cursors.notes);
      if (fresh.length) S.cursors.notes = fresh[fresh.length - 1].seq;
      const notes = fresh.filter(H.isNotice);
      if (notes.length) S.notes = H.insertNewestFirst(S.notes, notes, S.cfg.notifications_max * 5);
    }
    const marks = H.notifyState(state, S.epoch);
    const view = H.notificationView(S.notes, marks, S.cfg.notifications_max);
    const now = serverNow();
    const list = view.list.length
      ? view.list.map((entry) => noteItem(entry, now))
      : [div({ className: 'empty-state' }, [ico('bell', 28), span({}, 'You are all caught up')])];
    return [list, String(view.unread), 'bell-count' + (view.unread ? '' : ' is-zero')];
  }

  function notificationAction(markClicks, clearClicks, removeClicks, state) {
    const trig = triggered();
    if (!trig.length || !S.cfg) return dc.no_update;
    const prop = trig[0];
    const marks = H.notifyState(state, S.epoch);
    const shown = H.notificationView(S.notes, marks, S.cfg.notifications_max).list.map((x) => x.event);
    if (prop.indexOf('notification-mark-read') === 0 && markClicks) return H.markAllRead(marks, shown);
    if (prop.indexOf('notification-clear') === 0 && clearClicks) return H.clearAll(marks, shown);
    if (prop.indexOf('notification-remove') >= 0) {
      const ctxValue = (dc.callback_context && dc.callback_context.triggered[0]) || {};
      if (!ctxValue.value) return dc.no_update; // a button appearing, not a click
      const id = JSON.parse(prop.slice(0, prop.lastIndexOf('.')));
      return H.removeNotification(marks, id.seq);
    }
    return dc.no_update;
  }

  function toggleBell(clicks, isOpen) {
    if (!document.body.dataset.movaBellClose) {
      // a click anywhere outside the bell and its dropdown closes the dropdown, like a menu
      document.body.dataset.movaBellClose = '1';
      document.addEventListener('click', (event) => {
        const inside = event.target.closest && event.target.closest('#notification-bell, #notification-popover, .notif-popover');
        if (!inside && document.querySelector('.notif-popover')) setProps('notification-popover', { is_open: false });
      });
    }
    return clicks ? !isOpen : dc.no_update;
  }

  function toasts(data, current) {
    if (!data || !data.events || !S.cfg) return dc.no_update;
    const fresh = H.after(data.events, Math.max(S.cursors.toasts, S.bootSeq));
    if (!fresh.length) return dc.no_update;
    S.cursors.toasts = fresh[fresh.length - 1].seq;
    const notes = fresh.filter(H.isNotice);
    if (!notes.length) return dc.no_update;
    const open = (current || []).filter((t) => t && t.props && t.props.is_open !== false);
    const added = notes.slice(-5).map((e) => {
      const level = H.levelOf(e);
      const d = H.describe(e);
      const props = {
        id: 'toast-' + e.seq,
        header: [ico(H.levelIcon(level), 18), span({ className: 'toast-title' }, d.title)],
        is_open: true,
        dismissable: true,
        class_name: 'mova-toast lvl-' + level,
        header_class_name: 'mova-toast-header',
      };
      if (!H.isSticky(e)) props.duration = 5000;
      return comp('Toast', 'dash_bootstrap_components', props, d.detail ? d.detail : undefined);
    });
    return open.concat(added).slice(-5);
  }

  // -- panels: charts ------------------------------------------------------------------------------

  function chartSeries(chartId) {
    if (chartId === S.cfg.custom_chart) return S.customSeries ? [S.customSeries] : [];
    return S.cfg.charts[chartId].series;
  }

  function chartIds() {
    return Object.keys(S.cfg.charts).concat([S.cfg.custom_chart]);
  }

  function livePoints() {
    return Math.ceil(S.cfg.live_window_s / Math.max(0.05, S.cfg.collector_interval_s || 1)) + 10;
  }

  function remember(name, t, v) {
    const list = S.recent[name] || (S.recent[name] = []);
    list.push([t, v]);
    if (list.length > RECENT_POINTS) list.splice(0, list.length - RECENT_POINTS);
  }

  function statText(chartId, latest) {
    const unit = chartId === S.cfg.custom_chart ? '' : S.cfg.charts[chartId].unit;
    const names = chartSeries(chartId);
    const labels = chartId === S.cfg.custom_chart ? names : S.cfg.charts[chartId].labels || names;
    const parts = names.map((n, i) => (names.length > 1 ? labels[i] + ' ' : '') + H.formatValue(latest[n], unit));
    return parts.join(' · ');
  }

  function extendFor(chartId, points) {
    const names = chartSeries(chartId);
    if (!names.length) return dc.no_update;
    const xs = names.map(() => []);
    const ys = names.map(() => []);
    let any = false;
    points.forEach((p) => {
      names.forEach((n, i) => {
        if (n in p.values) {
          xs[i].push(p.t);
          ys[i].push(p.values[n]);
          any = true;
        }
      });
    });
    if (!any) return dc.no_update;
    return [{ x: xs, y: ys }, names.map((_n, i) => i), S.maxPoints[chartId] || livePoints()];
  }

  function noteSeries(names) {
    let added = false;
    names.forEach((n) => {
      if (!S.knownSeries.has(n)) {
        S.knownSeries.add(n);
        added = true;
      }
    });
    if (added) setProps(ID.series, { options: Array.from(S.knownSeries).sort().map((n) => ({ label: n, value: n })) });
  }

  function charts(data, pauseClicks) {
    const ids = S.cfg ? chartIds() : [];
    const n = 5 + 5 + 2;
    if (!S.cfg) return noUpdate(n);
    const trig = triggered();
    const outExtend = ids.map(() => dc.no_update);
    const outStats = ids.map(() => dc.no_update);
    let points = [];
    if (trig.some((p) => p.indexOf('metrics-pause') === 0) && pauseClicks) {
      S.paused = !S.paused;
      if (!S.paused) {
        points = S.pendingPoints || [];
        S.pendingPoints = [];
        S.pendingCount = 0;
      }
    } else if (data && data.events) {
      const fresh = H.after(data.events, Math.max(S.cursors.charts, S.bootSeq));
      if (fresh.length) S.cursors.charts = fresh[fresh.length - 1].seq;
      const latest = S.latest || (S.latest = {});
      const fromEvents = [];
      fresh.forEach((e) => {
        const values = H.seriesPoints(e);
        const names = Object.keys(values);
        if (!names.length) return;
        const t = H.localTime(e.time);
        names.forEach((name) => {
          latest[name] = values[name];
          remember(name, t, values[name]);
        });
        noteSeries(names);
        fromEvents.push({ t, values });
      });
      if (fromEvents.length) {
        ids.forEach((id, i) => {
          const text = statText(id, latest);
          if (text && text.replace(/[—· ]/g, '')) outStats[i] = text;
        });
      }
      if (S.paused) {
        S.pendingPoints = (S.pendingPoints || []).concat(fromEvents);
        S.pendingCount += fromEvents.reduce((sum, p) => sum + Object.keys(p.values).length, 0);
      } else {
        points = fromEvents;
      }
    }
    if (points.length) ids.forEach((id, i) => { outExtend[i] = extendFor(id, points); });
    const label = S.paused ? 'Resume' + (S.pendingCount ? ' · ' + S.pendingCount + ' waiting' : '') : 'Pause';
    const cls = 'btn btn-sm pause-button ' + (S.paused ? 'btn-warning is-paused' : 'btn-outline-secondary');
    return outExtend.concat(outStats, [label, cls]);
  }

  async function loadHistory(range, series, config) {
    const n = 5;
    if (!S.cfg && !config) return noUpdate(n);
    S.cfg = S.cfg || config;
    const ids = chartIds();
    let known;
    try {
      known = (await getJSON('/api/metrics/series')).series.map((s) => s.name);
    } catch (err) {
      console.warn('MOVA: loading the series list failed:', err && err.message);
      return noUpdate(n);
    }
    noteSeries(known);
    if (!series) {
      const used = new Set(Object.keys(S.cfg.charts).flatMap((id) => S.cfg.charts[id].series));
      const pick = known.find((s) => s === 'load.1') || known.find((s) => !used.has(s)) || known[0];
      if (pick) setProps(ID.series, { value: pick });
      series = pick || null;
    }
    S.customSeries = series;
    const seconds = S.cfg.ranges[range] || S.cfg.live_window_s;
    const wanted = Array.from(new Set(ids.flatMap(chartSeries))).filter((s) => known.indexOf(s) >= 0);
    const bySeries = {};
    if (wanted.length) {
      const query = wanted.map((s) => '&series=' + encodeURIComponent(s)).join('');
      try {
        const body = await getJSON('/api/metrics?since=' + seconds + '&max_points=600' + query);
        body.series.forEach((s) => { bySeries[s.name] = s; });
      } catch (err) {
        console.warn('MOVA: loading metric history failed:', err && err.message);
        return noUpdate(n);
      }
    }
    return ids.map((id) => {
      const names = chartSeries(id);
      const patch = new dc.Patch();
      let longest = 0;
      names.forEach((name, i) => {
        const s = bySeries[name] || { t: [], v: [] };
        const xs = s.t.map(H.localTime);
        const ys = s.v.slice();
        const lastT = xs.length ? xs[xs.length - 1] : '';
        (S.recent[name] || []).forEach(([t, v]) => {
          if (t > lastT) {
            xs.push(t);
            ys.push(v);
          }
        });
        longest = Math.max(longest, xs.length);
        patch.assign(['data', i, 'x'], xs);
        patch.assign(['data', i, 'y'], ys);
        if (id === S.cfg.custom_chart) {
          patch.assign(['data', i, 'name'], name);
          patch.assign(['data', i, 'hovertemplate'], '%{y:.4g}<extra>' + name + '</extra>');
        }
      });
      S.maxPoints[id] = range === 'live' ? livePoints() : longest + livePoints();
      // a new range is a new view: let the axes reset, then keep the user's zoom again
      patch.assign(['layout', 'uirevision'], range + ':' + (id === S.cfg.custom_chart ? series : ''));
      patch.assign(['layout', 'xaxis', 'autorange'], true);
      return patch.build();
    });
  }

  // -- callback entry points (registered by callbacks/*.py) ------------------------------------------

  dc.mova = {
    boot(config) {
      boot(config);
      return dc.no_update;
    },
    onMessage(message) {
      if (!message || typeof message.data !== 'string') return dc.no_update;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (err) {
        console.warn('MOVA: a socket frame was not JSON');
        return dc.no_update;
      }
      // frames are handled in order, each after the backfill the one before may have started
      S.chain = S.chain.then(() => handleFrame(frame)).catch((err) => console.warn('MOVA: frame failed:', err && err.message));
      return dc.no_update;
    },
    onState(state) {
      if (!state || !S.connectCount) return dc.no_update; // the component's default before any url
      if (state.readyState === 3) socketDown();
      return dc.no_update;
    },
    onPoll(n) {
      if (n) pollOnce();
      return dc.no_update;
    },
    onTick(n) {
      heartbeat();
      return dc.no_update;
    },
    badge,
    health,
    feed,
    feedOlder,
    feedJump(clicks) {
      feedJump(clicks);
      return dc.no_update;
    },
    notifications,
    notificationAction,
    toggleBell,
    toasts,
    charts,
    loadHistory,
  };
  // for debugging in the console and for browser tests: read-only view of the client state
  window.movaLive = { state: S, snapshot };
})();
