/*
 * MOVA Live: the browser live client and the clientside callbacks of every panel.
 *
 * One path (DESIGN.md §5): socket frames and poll responses both go through
 * `deliver`, which merges by seq into ONE sliding window kept in JS
 * (`S.window`, seq order) and writes a tiny `{rev, last_seq, n_new}` to ONE
 * store (mova-events). Each panel (feed, bell, toasts, charts, health, jobs)
 * is a clientside callback of that store: it reads what is new to it from
 * `S.window` by its own cursor (binary search), so two writes coalesced by
 * Dash before a panel runs lose nothing, and the per-frame cost follows the
 * new events, not the window. A panel whose view did not change returns
 * no_update, so Dash re-renders nothing for it.
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
    feedNew: 'feed-new', feedNewText: 'feed-new-text', feedRows: 'activity-feed-rows', series: 'metrics-series', health: 'health-badge',
    healthPill: 'health-pill', healthIcon: 'health-icon', healthBody: 'health-popover-body',
    mlJobs: 'ml-jobs', mlSelected: 'ml-selected', exportSeries: 'export-series', mlLoss: 'ml-loss', mlLossTitle: 'ml-loss-title',
  };
  const RELOADS_KEY = 'mova-reset-reloads'; // sessionStorage: when resets reloaded the page (loop guard)
  const LOSS_POINTS = 600; // live loss points kept per job for the loss curve
  const STORE_WINDOW = 2000; // events the store keeps for panels that have not run yet
  const RECENT_POINTS = 900; // live points kept per series, merged into freshly loaded history
  const BOOT_RETRY_MS = 3000;
  const LIVE_PANEL_MS = 250; // jobs, transfers, presence, plugins: at most one redraw per this, however busy the stream
  const FLUSH_MAX_WAIT_MS = 250; // the panels' store is written on the next animation frame, or after this when frames are suspended
  const DASH_HISTORY_KEEP = 20; // prop changes Dash keeps for undo (the page has no undo; Dash never trims it)

  const S = {
    cfg: null, started: false, epoch: null,
    lastSeq: 0, bootSeq: 0, window: [], rev: 0, pendingNew: 0,
    // socket
    socket: null, connectCount: 0, socketLive: false, everLive: false, lost: false, lastN: 0,
    attempt: 0, failed: 0, nextTryAt: null, retryTimer: null,
    heartbeatS: 30, lastMessageAt: null, lastPingAt: 0, pingCount: 0, lostFrames: 0,
    chain: Promise.resolve(),
    // polling
    polling: false, pollOk: null, pollInFlight: false,
    // what the badge shows
    transport: null, lastEventAt: null, delayMs: null, clockOffsetMs: 0, serverLastSeq: null,
    health: null,
    // panels
    cursors: { feed: 0, notes: 0, toasts: 0, charts: 0, health: 0, live: 0 },
    // what each panel last rendered, so that a frame which changes nothing re-renders nothing
    liveRev: { ml: 0, transfers: 0, presence: 0, plugins: 0 }, liveShown: { ml: -1, transfers: -1, presence: -1, plugins: -1 },
    shown: {}, feedNodes: new Map(), connKey: null,
    live: H.emptyLive(), lossPoints: {}, lossHistory: {}, lossShown: null, reloading: false,
    feed: [], feedCap: 50, feedFollowing: true, feedUnseen: 0, categories: [], olderDone: false,
    // what the feed shows: the filter and search as the panels' callback last saw them (null: every category)
    feedFilter: null, feedSearch: '', feedShownCount: 0, feedPainted: false,
    trigOverride: null, lossLoading: {}, flushes: 0, panelWrites: 0, historyTrimmed: 0, liveAt: {}, deferTimer: null, feedScrollTop: 0,
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
    if (S.trigOverride) return S.trigOverride; // inside the panels' callback: the triggers that are this panel's
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
    H.appendWindow(S.window, merged.fresh, STORE_WINDOW);
    S.pendingNew += merged.fresh.length;
    // the feed paints at once, in this task; the other panels follow on the next animation frame
    paintFeed(false, history);
    requestFlush();
    return merged.fresh.length;
  }

  /** Run `fn` once on the next animation frame, or after FLUSH_MAX_WAIT_MS if frames are suspended (hidden tab). */
  function nextFrame(fn) {
    let timer = null;
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    timer = setTimeout(once, FLUSH_MAX_WAIT_MS);
    if (typeof window.requestAnimationFrame === 'function') window.requestAnimationFrame(once);
  }

  /** Dash's undo history grows by one entry per prop change made in the page, forever: keep its tail. */
  function trimDashHistory() {
    const store = window.store;
    if (!store || typeof store.getState !== 'function') return;
    S.historyTrimmed += H.trimHistory(store.getState().history, DASH_HISTORY_KEEP);
  }

  /** Every delivery asks; one store write per animation frame answers them all (one panels' callback run). */
  const requestFlush = H.coalesce(() => {
    S.flushes += 1;
    trimDashHistory();
    writeStore();
  }, nextFrame);

  /**
   * Tell the panels that the window moved: a few numbers, never the events (Dash would diff and copy
   * the whole window on every frame). The panels read the events from S.window by their cursors.
   */
  function writeStore() {
    S.rev += 1;
    const n = S.pendingNew;
    S.pendingNew = 0;
    setProps(ID.events, { data: { rev: S.rev, last_seq: S.lastSeq, n_new: n } });
  }

  /** The window's events after a panel's cursor (what that panel has not seen yet). */
  function freshSince(cursor) {
    return H.afterSorted(S.window, cursor);
  }

  /** Only the outputs whose value changed since this panel last returned them; the rest no_update. */
  function changedOnly(panel, outputs) {
    const before = S.shown[panel] || [];
    const keys = outputs.map((o) => (o === dc.no_update ? null : JSON.stringify(o)));
    let any = false;
    const out = outputs.map((o, i) => {
      if (keys[i] === null || keys[i] === before[i]) return dc.no_update;
      any = true;
      return o;
    });
    S.shown[panel] = keys.map((k, i) => (k === null ? before[i] : k));
    return { any, out };
  }

  /** Everything after our last seq from REST, page by page (backfill and polling). */
  async function fetchAfter(via) {
    for (let page = 0; page < 100; page += 1) {
      const body = await getJSON('/api/events?limit=1000&after=' + S.lastSeq);
      const reason = H.resetReason({ epoch: S.epoch, lastSeq: S.lastSeq }, body);
      if (reason) {
        resetPage(reason);
        return;
      }
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

  /**
   * Tell the badge that the connection changed. Fields that move with every frame (last message, delay,
   * seqs) are left out of the key: the badge reads them from S on its 1 s tick, so a busy stream does
   * not re-render the badge on every frame.
   */
  function publish() {
    const snap = snapshot();
    const key = JSON.stringify([
      snap.started, snap.socketLive, snap.everLive, snap.lost, snap.pollOk, snap.polling, snap.attempt, snap.failed,
      snap.nextTryAt, snap.transport, snap.connects, snap.lostFrames, snap.pings,
    ]);
    if (key !== S.connKey) {
      S.connKey = key;
      setProps(ID.connection, { data: snap });
    }
    feedIndicator();
  }

  // -- boot: REST first, then the socket ----------------------------------------------------

  async function loadInitial() {
    const status = await getJSON('/api/status');
    S.epoch = status.epoch;
    S.serverLastSeq = status.last_seq;
    S.clockOffsetMs = H.toMs(status.server_time) - Date.now();
    S.health = status.health || null;
    // the panels' state as the server folded it, then every event after its seq (syncLive)
    S.live = H.seedLive(status.state);
    S.cursors.live = status.state && Number.isFinite(status.state.last_seq) ? status.state.last_seq : status.last_seq;
    const before = '/api/events?before=' + (status.last_seq + 1);
    const types = feedTypes().map((t) => '&type=' + encodeURIComponent(t)).join('');
    const pages = await Promise.all([
      getJSON(before + '&limit=100'),
      getJSON(before + '&limit=' + S.cfg.feed_max_items + types),
      getJSON(before + '&limit=' + S.cfg.notifications_max * 3 + '&type=notification&type=alert'),
      // the last minute of predictions, for p50/p95 latency (the snapshot has only its summary)
      getJSON(before + '&limit=1000&type=ml.prediction.result'),
    ]);
    const horizon = Date.now() + S.clockOffsetMs - 60000;
    H.foldLive(S.live, pages[3].events.filter((e) => H.toMs(e.time) >= horizon && e.seq <= S.cursors.live), true);
    S.bootSeq = status.last_seq;
    // a new seed: every live panel draws again, even one that drew an empty state before the boot
    Object.keys(S.liveRev).forEach((k) => { S.liveRev[k] += 1; });
    const history = [].concat(pages[0].events, pages[1].events, pages[2].events);
    // nothing to show: still tell the panels (health, empty states) that the page is loaded
    const shown = deliver(history, 'rest', true);
    S.lastSeq = Math.max(S.lastSeq, status.last_seq);
    if (!shown) requestFlush();
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
    const epoch = S.epoch ? '&epoch=' + encodeURIComponent(S.epoch) : '';
    setProps(ID.socket, { url: wsBase() + '?after=' + S.lastSeq + epoch + '&c=' + S.connectCount });
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

  /**
   * The page's position is gone (store recreated, reset, or trimmed by retention): what it holds no
   * longer matches the server, so it reloads and boots from REST again rather than waiting. A guard
   * in sessionStorage stops a reload loop (at most 3 a minute; then one try every 30 s).
   */
  function resetPage(reason) {
    if (S.reloading) return;
    let history = [];
    try {
      history = JSON.parse(window.sessionStorage.getItem(RELOADS_KEY) || '[]');
    } catch (err) {
      history = [];
    }
    const verdict = H.reloadAllowed(history, Date.now(), 3, 60000);
    console.warn('MOVA: reloading the page state:', reason);
    if (!verdict.ok) {
      clearTimeout(S.resetTimer);
      S.resetTimer = setTimeout(() => resetPage(reason), 30000);
      return;
    }
    try {
      window.sessionStorage.setItem(RELOADS_KEY, JSON.stringify(verdict.history));
    } catch (err) {
      // private mode: no guard, still reload
    }
    S.reloading = true;
    window.location.reload();
  }

  /** Show a health state (from /api/status, a system.status event or a health frame) in the top bar. */
  function applyHealth() {
    const out = healthView();
    if (!out) return;
    setProps(ID.health, { children: out[0] });
    S.healthShown = (S.healthShown || []).concat([out[0]]).slice(-20); // for tests: a short degraded spell leaves a trace
    setProps(ID.healthPill, { className: out[1], title: out[3] });
    setProps(ID.healthIcon, { icon: out[2] });
    setProps(ID.healthBody, { children: out[4] });
    S.shown.health = out.map((o) => JSON.stringify(o));
  }

  /** A health frame may have been the one lost: read the health the server holds now. */
  async function refreshHealth() {
    const status = await getJSON('/api/status');
    if (status.health && status.health.state) {
      S.health = status.health;
      applyHealth();
    }
  }

  async function handleFrame(frame) {
    if (S.reloading) return;
    S.lastMessageAt = Date.now();
    // every frame after hello is numbered: a jump means one was lost, whatever its kind (DESIGN.md §4)
    if (frame.kind !== 'hello' && Number.isFinite(frame.n)) {
      if (H.frameStatus(S.lastN, frame.n) === 'lost') {
        S.lostFrames += 1;
        S.lastN = frame.n;
        await Promise.all([fetchAfter('websocket'), refreshHealth()]);
      }
      S.lastN = frame.n;
    }
    switch (frame.kind) {
      case 'hello': {
        // the server has a new store (or fewer events than we saw): every seq we hold means something else
        const reason = H.resetReason({ epoch: S.epoch, lastSeq: S.lastSeq }, frame);
        if (reason) {
          resetPage(reason);
          return;
        }
        S.heartbeatS = frame.heartbeat_s || S.heartbeatS;
        S.serverLastSeq = frame.last_seq;
        if (frame.health && frame.health.state) {
          // the server's health now: a health frame missed while reconnecting is made good here
          S.health = { state: frame.health.state, message: frame.health.message, components: frame.health.components, time: frame.health.time };
          applyHealth();
        }
        if (frame.server_time) S.clockOffsetMs = H.toMs(frame.server_time) - Date.now();
        markLive();
        break;
      }
      case 'reset':
        resetPage(frame.reason || 'the server reset the stream');
        return;
      case 'health':
        S.health = { state: frame.state, message: frame.message, components: frame.components, time: frame.time };
        markLive();
        applyHealth();
        break;
      case 'events':
        markLive();
        deliver(frame.events, 'websocket', false);
        if (S.serverLastSeq === null || S.lastSeq > S.serverLastSeq) S.serverLastSeq = S.lastSeq;
        break;
      case 'gap':
        markLive();
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

  // -- the socket's frames, straight from the socket -------------------------------------------------

  /**
   * One socket frame, in arrival order: frames are handled one after another, each after the backfill
   * the one before may have started.
   */
  function receive(data) {
    if (typeof data !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (err) {
      console.warn('MOVA: a socket frame was not JSON');
      return;
    }
    S.chain = S.chain.then(() => handleFrame(frame)).catch((err) => console.warn('MOVA: frame failed:', err && err.message));
  }

  /**
   * The dash-extensions component hands each frame to Dash as its `message` prop, and a clientside
   * callback of that prop saw it only after Dash's callback pipeline had run: frames arriving close
   * together overwrote each other before the callback read them (NOTES.md, upstream #214), and every
   * lost frame cost a REST backfill of several hundred ms, the tail of ingest->painted. So the client
   * listens to the component's socket itself: WebSocket is subclassed (before Dash renders anything)
   * to add one 'message' listener to the sockets it opens on /ws. The component still owns the socket
   * (url, send, state, close); frames of a socket it has replaced are ignored.
   */
  function listenToSocket() {
    const Native = window.WebSocket;
    if (typeof Native !== 'function' || Native.movaListened) return;
    const ours = (url) => {
      try {
        return new URL(String(url), window.location.href).pathname === '/ws';
      } catch (err) {
        return false;
      }
    };
    class ListenedWebSocket extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        if (!ours(url)) return;
        S.socket = this;
        this.addEventListener('message', (event) => {
          if (S.socket === this) receive(event.data);
        });
      }
    }
    ListenedWebSocket.movaListened = true;
    window.WebSocket = ListenedWebSocket;
  }
  listenToSocket();

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
    trimDashHistory();
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
    // the store is only a trigger (publish leaves out fields that move every frame): read the live state
    const c = S.started || !conn ? snapshot() : conn;
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
    return changedOnly('badge', [
      view.label,
      view.detail,
      'pill state-' + view.state,
      'tabler:' + view.icon,
      spinning ? 'spin' : '',
      body,
    ]).out;
  }

  // -- panels: health --------------------------------------------------------------------------------

  const HEALTH_ICONS = { healthy: 'circle-check', degraded: 'alert-triangle', down: 'circle-x' };

  function healthView() {
    if (!S.health || !S.health.state) return null;
    const h = S.health;
    const state = H.text(h.state, 40);
    const title = 'System ' + state + (h.message ? ': ' + H.text(h.message) : '');
    const components = h.components && typeof h.components === 'object' ? Object.keys(h.components) : [];
    const body = [
      detailRow('State', state),
      h.message ? div({ className: 'health-message' }, H.text(h.message, 400)) : null,
      ...components.slice(0, 20).map((name) => detailRow(H.text(name, 60), H.text(h.components[name], 40))),
      h.time ? detailRow('Reported', H.clockTime(h.time)) : null,
    ].filter(Boolean);
    return [state, 'pill health-' + H.cssToken(state), 'tabler:' + (HEALTH_ICONS[state] || 'heart-rate-monitor'), title, body];
  }

  function health(data) {
    if (data) {
      const fresh = freshSince(S.cursors.health);
      if (fresh.length) S.cursors.health = fresh[fresh.length - 1].seq;
      fresh.forEach((e) => {
        if (e.type === 'system.status') S.health = Object.assign({}, e.data, { time: e.time });
      });
    }
    const view = healthView();
    return view ? changedOnly('health', view).out : noUpdate(5);
  }

  // -- panels: activity feed ----------------------------------------------------------------------------

  const SVG_NS = 'http://www.w3.org/2000/svg';

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== '') node.textContent = String(text); // text, never HTML
    return node;
  }

  /** A tabler icon as an <svg>, from the icon data assets/00_icons.js preloads (static, never event text). */
  function iconNode(name, size) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'iconify');
    svg.setAttribute('aria-hidden', 'true');
    const icons = (window.IconifyPreload && window.IconifyPreload.icons) || {};
    const data = icons[name] || icons['circle-dot'];
    if (data && typeof data.body === 'string') svg.innerHTML = data.body; // build-time icon data
    return svg;
  }

  /** One feed row as DOM nodes (textContent and attributes only: event text is never parsed as HTML). */
  function feedRowNode(event, now) {
    const category = H.categoryOf(event.type);
    const d = H.describe(event);
    const row = el('div', 'feed-item cat-' + H.cssToken(category));
    row.setAttribute('data-seq', String(event.seq));
    row.setAttribute('data-category', category);
    const icon = el('div', 'feed-icon');
    icon.appendChild(iconNode(H.categoryIcon(category), 16));
    const main = el('div', 'feed-main');
    const title = el('div', 'feed-title', d.title || event.type);
    title.title = d.title || '';
    main.appendChild(title);
    if (d.detail) main.appendChild(el('div', 'feed-detail', d.detail));
    const meta = el('div', 'feed-meta');
    meta.appendChild(el('span', 'feed-type', event.type));
    meta.appendChild(el('span', 'feed-actor', H.actorOf(event)));
    const rel = H.relativeTime(event.time, now);
    const time = el('span', 'feed-time', rel);
    time.title = event.time || '';
    meta.appendChild(time);
    main.appendChild(meta);
    row.appendChild(icon);
    row.appendChild(main);
    return { row, time, rel };
  }

  /**
   * Make the rows container show `shown` (newest first) with the fewest DOM changes: rows are keyed by
   * seq, so a frame with k new events inserts k nodes and drops those past the cap; the rest stay.
   * `refreshTimes` rewrites the relative times (on the 10 s tick).
   */
  function renderFeedRows(shown, now, refreshTimes) {
    const box = document.getElementById(ID.feedRows);
    if (!box) return false;
    const wanted = new Set(shown.map((e) => e.seq));
    S.feedNodes.forEach((entry, seq) => {
      if (!wanted.has(seq) || entry.row.parentNode !== box) {
        if (entry.row.parentNode) entry.row.parentNode.removeChild(entry.row);
        S.feedNodes.delete(seq);
      }
    });
    let ref = box.firstChild;
    shown.forEach((event) => {
      let entry = S.feedNodes.get(event.seq);
      if (!entry) {
        entry = feedRowNode(event, now);
        S.feedNodes.set(event.seq, entry);
      } else if (refreshTimes) {
        const rel = H.relativeTime(event.time, now);
        if (rel !== entry.rel) {
          entry.rel = rel;
          entry.time.textContent = rel;
        }
      }
      if (entry.row === ref) ref = ref.nextSibling;
      else box.insertBefore(entry.row, ref);
    });
    // anything else in the box (not ours) goes
    while (ref) {
      const next = ref.nextSibling;
      box.removeChild(ref);
      ref = next;
    }
    return true;
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
    const value = (filterValue || S.cfg.categories).concat(added);
    setProps(ID.feedFilter, { options: all.map(chip), value });
    return value;
  }

  function attachFeedScroll() {
    const el = document.getElementById(ID.feed);
    if (!el || el.dataset.movaScroll) return;
    el.dataset.movaScroll = '1';
    el.addEventListener('scroll', () => {
      S.feedScrollTop = el.scrollTop;
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

  /**
   * Bring the feed's rows up to date: take the window's events after the feed's cursor, then insert
   * their rows (keyed DOM nodes). `deliver` calls it for every merged batch, so a new event is in the
   * DOM within the task that received it; the panels' callback calls it with `refresh` for a new
   * filter, search, older page or the 10 s relative-time tick ('times'). Returns false until mounted.
   */
  function paintFeed(refresh, history) {
    if (!S.cfg) return false;
    let added = 0;
    const fresh = freshSince(S.cursors.feed);
    if (fresh.length) {
      S.cursors.feed = fresh[fresh.length - 1].seq;
      const excluded = new Set(S.cfg.feed_excluded_types);
      const rows = fresh.filter((e) => !excluded.has(e.type));
      if (rows.length) {
        S.feedFilter = noteCategories(rows, S.feedFilter);
        S.feed = H.insertNewestFirst(S.feed, rows, S.feedCap);
        added = rows.length;
        if (!S.feedFollowing && !history) {
          S.feedUnseen += rows.filter((e) => e.seq > S.bootSeq).length;
          feedIndicator();
        }
      }
    }
    if (!added && !refresh && S.feedPainted) return true; // metric samples only: nothing to draw
    const shown = H.feedView(S.feed, S.feedFilter, S.feedSearch);
    if (!renderFeedRows(shown, serverNow(), refresh === 'times')) return false; // not mounted: the panels' run draws
    S.feedPainted = true;
    S.feedShownCount = shown.length;
    if (S.feedFollowing && S.feedScrollTop > 0 && !S.feedScrollQueued) {
      // stay at the newest row; when the user has scrolled away, the browser keeps their place
      S.feedScrollQueued = true;
      window.requestAnimationFrame(() => {
        S.feedScrollQueued = false;
        const el = document.getElementById(ID.feed);
        if (el && S.feedFollowing) el.scrollTop = 0;
      });
    }
    return true;
  }

  /** The feed's Dash outputs (empty state, count); its rows are drawn by paintFeed. */
  function feed(data, filterValue, search, tick) {
    const trig = triggered();
    if (trig.length === 1 && trig[0].indexOf('mova-tick') === 0 && tick % 10 !== 0) return noUpdate(3);
    if (!S.cfg) return noUpdate(3);
    attachFeedScroll();
    const initial = !trig.length;
    const byFilter = trig.some((p) => p.indexOf(ID.feedFilter + '.') === 0);
    const bySearch = trig.some((p) => p.indexOf('feed-search.') === 0);
    // the inputs as Dash has them; paintFeed keeps S.feedFilter ahead when it adds a new category itself
    if (initial || byFilter) S.feedFilter = filterValue || null;
    if (initial || bySearch) S.feedSearch = search || '';
    const eventsOnly = !initial && trig.every((p) => p.indexOf(ID.events + '.') === 0);
    const byTick = trig.some((p) => p.indexOf('mova-tick') === 0);
    if (!paintFeed(eventsOnly ? false : byTick && trig.length === 1 ? 'times' : true)) return noUpdate(3);
    const emptyText = S.feed.length ? 'No event matches the filter' : 'Waiting for events…';
    const emptyClass = 'empty-state feed-empty' + (S.feedShownCount ? ' is-hidden' : '');
    const count = S.feedShownCount === S.feed.length ? String(S.feed.length) : S.feedShownCount + ' of ' + S.feed.length;
    return changedOnly('feed', [emptyText, emptyClass, count]).out;
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
    if (trig.length === 1 && trig[0].indexOf('mova-tick') === 0 && (tick + 5) % 10 !== 0) return noUpdate(3);
    if (!S.cfg) return noUpdate(3);
    let changed = false;
    if (data) {
      const fresh = freshSince(S.cursors.notes);
      if (fresh.length) S.cursors.notes = fresh[fresh.length - 1].seq;
      const notes = fresh.filter(H.isNotice);
      if (notes.length) {
        S.notes = H.insertNewestFirst(S.notes, notes, S.cfg.notifications_max * 5);
        changed = true;
      }
    }
    const eventsOnly = trig.length > 0 && trig.every((p) => p.indexOf(ID.events + '.') === 0);
    if (eventsOnly && !changed && S.notesShownOnce) return noUpdate(3);
    S.notesShownOnce = true;
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
    if (!data || !S.cfg) return dc.no_update;
    const fresh = freshSince(Math.max(S.cursors.toasts, S.bootSeq));
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
    if (!added) return;
    const options = Array.from(S.knownSeries).sort().map((n) => ({ label: n, value: n }));
    setProps(ID.series, { options });
    setProps(ID.exportSeries, { options });
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
    } else if (data) {
      const fresh = freshSince(Math.max(S.cursors.charts, S.bootSeq));
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
    // extendData is an action (never compared); the stats and the pause button only when they change
    const same = changedOnly('charts', outStats.concat([label, cls])).out;
    return outExtend.concat(same);
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


  // -- panels: live state (ML jobs, models, predictions, transfers, presence, plugins) ---------------

  /** Fold the store's events after the live cursor into S.live (whichever panel runs first does it). */
  const LIVE_PANEL_OF = {
    'ml.training.progress': 'ml', 'ml.model.update': 'ml', 'ml.prediction.result': 'ml',
    'file.upload.progress': 'transfers', 'file.download.progress': 'transfers',
    'user.presence': 'presence', 'user.activity': 'presence', 'plugin.status': 'plugins', 'plugin.update': 'plugins',
  };

  function syncLive(data) {
    if (!data) return;
    const fresh = freshSince(S.cursors.live);
    if (!fresh.length) return;
    S.cursors.live = fresh[fresh.length - 1].seq;
    H.foldLive(S.live, fresh);
    fresh.forEach((e) => {
      const panel = LIVE_PANEL_OF[e.type];
      if (panel) S.liveRev[panel] += 1;
      const d = e.data || {};
      if (e.type === 'ml.training.progress' && typeof d.job === 'string' && Number.isFinite(d.loss)) {
        const list = S.lossPoints[d.job] || (S.lossPoints[d.job] = []);
        list.push([H.localTime(e.time), d.loss]);
        if (list.length > LOSS_POINTS) list.splice(0, list.length - LOSS_POINTS);
      }
    });
  }

  /**
   * Whether a live-state panel can skip this run: it was triggered by the event store alone and no
   * event it shows arrived since it last rendered. Otherwise it is marked as rendered.
   */
  function liveUnchanged(panel) {
    const trig = triggered();
    const eventsOnly = trig.length > 0 && trig.every((p) => p.indexOf(ID.events + '.') === 0);
    if (eventsOnly && S.liveShown[panel] === S.liveRev[panel]) return true;
    if (eventsOnly) {
      // a busy stream (a presence change per event) redraws a panel at most every LIVE_PANEL_MS; the
      // events that arrive meanwhile are drawn by one later run (deferPanels), none is skipped
      const wait = (S.liveAt[panel] || 0) + LIVE_PANEL_MS - Date.now();
      if (wait > 0) {
        deferPanels(wait);
        return true;
      }
    }
    S.liveShown[panel] = S.liveRev[panel];
    S.liveAt[panel] = Date.now();
    return false;
  }

  /** One more panels' run in `ms` (an empty store write), for panels that put off a redraw. */
  function deferPanels(ms) {
    if (S.deferTimer) return;
    S.deferTimer = setTimeout(() => {
      S.deferTimer = null;
      requestFlush();
    }, ms);
  }

  /**
   * Tick-driven panels re-render every `every` seconds, event-driven ones at once. Each panel has its
   * own `offset` into the period, so that the 10 s refreshes (feed times, bell, presence, plugins) do
   * not all land on the same tick: together they made one long task that delayed the next event.
   */
  function tickOnly(tick, every, offset) {
    const trig = triggered();
    return trig.length === 1 && trig[0].indexOf('mova-tick') === 0 && (tick + (offset || 0)) % every !== 0;
  }

  const STATE_ICONS = {
    running: 'loader-2', completed: 'circle-check', failed: 'circle-x', cancelled: 'player-pause',
    active: 'circle-check', inactive: 'point-filled', error: 'alert-triangle',
  };

  function stateBadge(state) {
    const label = H.text(state || 'unknown', 30);
    return span({ className: 'state-badge s-' + H.cssToken(label) }, label);
  }

  function progressBar(fraction, state) {
    const pct = Number.isFinite(fraction) ? Math.max(0, Math.min(100, fraction * 100)) : 0;
    return div(
      { className: 'progress-track s-' + H.cssToken(state || ''), role: 'progressbar', 'aria-valuenow': String(Math.round(pct)), 'aria-valuemin': '0', 'aria-valuemax': '100' },
      div({ className: 'progress-fill', style: { width: pct.toFixed(1) + '%' } }),
    );
  }

  function remaining(etaS, updated, now) {
    if (!Number.isFinite(etaS)) return null;
    const left = etaS - Math.max(0, (now - H.toMs(updated)) / 1000);
    return Math.max(0, left);
  }

  function selectedJob(jobs) {
    if (S.selectedJob && S.live.jobs[S.selectedJob]) return S.selectedJob;
    return jobs.length ? jobs[0].job : null;
  }

  function jobRow(job, now, selected) {
    const state = H.text(job.state, 30);
    const meta = [];
    if (Number.isFinite(job.epoch)) meta.push('epoch ' + job.epoch + (Number.isFinite(job.epochs) ? '/' + job.epochs : ''));
    if (Number.isFinite(job.loss)) meta.push('loss ' + H.number(job.loss));
    if (Number.isFinite(job.accuracy)) meta.push('acc ' + (job.accuracy <= 1 ? (job.accuracy * 100).toFixed(1) + '%' : H.number(job.accuracy)));
    const left = job.state === 'running' ? remaining(job.eta_s, job.updated, now) : null;
    if (left !== null) meta.push('ETA ' + H.duration(left));
    if (job.state !== 'running' && job.finished) meta.push(state + ' ' + H.relativeTime(job.finished, now));
    const pct = Number.isFinite(job.progress) ? Math.round(job.progress * 100) + '%' : '';
    return div(
      {
        className: 'job-row s-' + H.cssToken(state) + (job.job === selected ? ' is-selected' : ''),
        key: 'job:' + job.job, 'data-job': H.text(job.job, 200), 'data-state': state,
        'data-progress': Number.isFinite(job.progress) ? String(job.progress) : '', title: 'Show the loss curve',
      },
      [
        div({ className: 'row-head' }, [
          span({ className: 'row-name' }, H.text(job.job, 80)),
          job.model ? span({ className: 'row-sub' }, H.text(job.model, 60)) : null,
          span({ className: 'row-pct' }, pct),
          stateBadge(state),
        ]),
        progressBar(job.progress, state),
        div({ className: 'row-meta' }, meta.map((m, i) => span({ key: String(i) }, m))),
      ],
    );
  }

  function modelRow(m, now) {
    return div({ className: 'mini-row', key: 'model:' + m.model, 'data-model': H.text(m.model, 200), 'data-version': H.text(m.version, 80) }, [
      span({ className: 'row-name' }, H.text(m.model, 60)),
      span({ className: 'version' }, H.text(m.version, 40)),
      m.stage ? span({ className: 'row-sub' }, H.text(m.stage, 30)) : null,
      m.previous_version ? span({ className: 'row-sub' }, 'from ' + H.text(m.previous_version, 40)) : null,
      span({ className: 'row-time', title: m.updated }, H.relativeTime(m.updated, now)),
    ]);
  }

  function ms(v) {
    return Number.isFinite(v) ? (v >= 100 ? Math.round(v) : v.toFixed(1)) + ' ms' : '—';
  }

  function predictionRow(p) {
    return div({ className: 'mini-row pred-row', key: 'pred:' + p.model, 'data-model': H.text(p.model, 200), 'data-count': String(p.count) }, [
      span({ className: 'row-name' }, H.text(p.model, 60)),
      span({ className: 'stat' }, [span({ className: 'stat-label' }, 'per min'), String(Math.round((p.per_s || 0) * 60))]),
      span({ className: 'stat' }, [span({ className: 'stat-label' }, 'p50'), ms(p.p50_ms)]),
      span({ className: 'stat' }, [span({ className: 'stat-label' }, 'p95'), ms(p.p95_ms)]),
    ]);
  }

  const empty = (text, icon) => [div({ className: 'empty-state small' }, [icon ? ico(icon, 22) : null, span({}, text)])];

  function mlPanel(data, tick, selected) {
    if (tickOnly(tick, 2) || !S.cfg) return noUpdate(4);
    syncLive(data);
    if (liveUnchanged('ml')) return noUpdate(4);
    if (selected && S.live.jobs[selected]) S.selectedJob = selected;
    const now = serverNow();
    const jobs = H.jobsView(S.live, 30);
    const pick = selectedJob(jobs);
    const models = H.modelsView(S.live, 8);
    const preds = H.predictionView(S.live, now, 60);
    const running = jobs.filter((j) => j.state === 'running').length;
    return [
      jobs.length ? jobs.map((j) => jobRow(j, now, pick)) : empty('No training jobs yet', 'brain'),
      models.length ? models.map((m) => modelRow(m, now)) : empty('No model versions yet'),
      preds.length ? preds.map(predictionRow) : empty('No predictions in the last minute'),
      jobs.length ? running + ' running · ' + jobs.length + ' jobs' : '',
    ];
  }

  function transferRow(t, now) {
    const state = H.text(t.state, 30);
    const up = t.direction === 'upload';
    const meta = [H.bytes(t.bytes) + ' of ' + H.bytes(t.total)];
    if (Number.isFinite(t.rate_bps) && t.rate_bps > 0) meta.push(H.bytes(t.rate_bps) + '/s' + (t.state === 'completed' ? ' avg' : ''));
    const left = t.state === 'running' ? remaining(t.eta_s, t.updated, now) : null;
    if (left !== null) meta.push('ETA ' + H.duration(left));
    if (t.state !== 'running' && t.finished) meta.push(H.relativeTime(t.finished, now));
    return div(
      {
        className: 'transfer-row s-' + H.cssToken(state) + (t.fading ? ' is-fading' : ''),
        key: 'transfer:' + t.transfer, 'data-transfer': H.text(t.transfer, 200), 'data-state': state,
        'data-direction': up ? 'upload' : 'download', 'data-progress': Number.isFinite(t.progress) ? String(t.progress) : '',
      },
      [
        div({ className: 'row-head' }, [
          span({ className: 'dir-icon', title: up ? 'Upload' : 'Download' }, up ? '↑' : '↓'),
          span({ className: 'row-name', title: H.text(t.name, 400) }, H.text(t.name || t.transfer, 80)),
          span({ className: 'row-pct' }, Number.isFinite(t.progress) ? Math.round(t.progress * 100) + '%' : ''),
          stateBadge(state),
        ]),
        progressBar(t.progress, state),
        div({ className: 'row-meta' }, meta.map((m, i) => span({ key: String(i) }, m))),
      ],
    );
  }

  function transfersPanel(data, tick) {
    if (tickOnly(tick, 2, 1) || !S.cfg) return noUpdate(2);
    syncLive(data);
    if (liveUnchanged('transfers')) return noUpdate(2);
    const now = serverNow();
    const list = H.transfersView(S.live, now, S.cfg.transfer_fade_after_s, S.cfg.transfer_remove_after_s, 30);
    const running = list.filter((t) => t.state === 'running').length;
    return [list.length ? list.map((t) => transferRow(t, now)) : empty('No transfers', 'arrows-exchange'), list.length ? String(running) + ' active' : ''];
  }

  function presencePanel(data, tick) {
    if (tickOnly(tick, 10, 3) || !S.cfg) return noUpdate(2);
    syncLive(data);
    if (liveUnchanged('presence')) return noUpdate(2);
    const now = serverNow();
    const users = H.presenceView(S.live, 100);
    const rows = users.map((u) => {
      const state = H.text(u.state || 'unknown', 30);
      return div({ className: 'mini-row presence-row s-' + H.cssToken(state), key: 'user:' + u.user, 'data-user': H.text(u.user, 200), 'data-state': state }, [
        span({ className: 'presence-dot' }),
        div({ className: 'presence-main' }, [
          span({ className: 'row-name' }, H.text(u.user, 60)),
          u.last_action ? span({ className: 'row-sub' }, H.text(u.last_action, 80)) : null,
        ]),
        span({ className: 'row-time', title: u.last_seen }, state === 'online' ? 'online' : state + ' · ' + H.relativeTime(u.last_seen, now)),
      ]);
    });
    const online = users.filter((u) => u.state === 'online').length;
    return [rows.length ? rows : empty('Nobody seen yet', 'user'), users.length ? online + ' online' : ''];
  }

  function pluginsPanel(data, tick) {
    if (tickOnly(tick, 10, 7) || !S.cfg) return noUpdate(2);
    syncLive(data);
    if (liveUnchanged('plugins')) return noUpdate(2);
    const now = serverNow();
    const plugins = H.pluginsView(S.live, 100);
    const rows = plugins.map((p) => {
      const state = H.text(p.state || 'unknown', 30);
      return div({ className: 'mini-row plugin-row s-' + H.cssToken(state), key: 'plugin:' + p.plugin, 'data-plugin': H.text(p.plugin, 200), 'data-state': state, 'data-version': H.text(p.version || '', 80) }, [
        div({ className: 'presence-main' }, [
          span({ className: 'row-name' }, H.text(p.plugin, 60)),
          p.message ? span({ className: 'row-sub', title: H.text(p.message, 400) }, H.text(p.message, 80)) : null,
        ]),
        p.version ? span({ className: 'version' }, H.text(p.version, 40)) : null,
        stateBadge(state),
        span({ className: 'row-time', title: p.updated }, H.relativeTime(p.updated, now)),
      ]);
    });
    const active = plugins.filter((p) => p.state === 'active').length;
    return [rows.length ? rows : empty('No plugins reported', 'puzzle'), plugins.length ? active + '/' + plugins.length + ' active' : ''];
  }

  function attachJobClicks() {
    const el = document.getElementById(ID.mlJobs);
    if (!el || el.dataset.movaClicks) return;
    el.dataset.movaClicks = '1';
    el.addEventListener('click', (event) => {
      const row = event.target.closest && event.target.closest('[data-job]');
      if (!row) return;
      S.selectedJob = row.dataset.job;
      setProps(ID.mlSelected, { data: row.dataset.job });
    });
  }

  function lossFigure(points) {
    return {
      data: [{
        type: 'scatter', mode: 'lines', x: points.map((p) => p[0]), y: points.map((p) => p[1]),
        line: { color: '#a371f7', width: 2 }, fill: 'tozeroy', fillcolor: 'rgba(163,113,247,0.12)',
        hovertemplate: 'loss %{y:.4g}<extra></extra>',
      }],
      layout: {
        height: 150, margin: { l: 40, r: 8, t: 6, b: 24 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
        font: { color: '#8b93a7', size: 10 }, showlegend: false, hovermode: 'x',
        xaxis: { type: 'date', gridcolor: 'rgba(139,147,167,0.14)', fixedrange: true, nticks: 5, tickformat: '%H:%M:%S' },
        yaxis: { gridcolor: 'rgba(139,147,167,0.14)', zeroline: false, fixedrange: true, rangemode: 'tozero' },
      },
    };
  }

  /**
   * The selected job's loss curve: its ml.<job>.loss history from REST once, then the live points.
   * Synchronous, so that it can share the panels' callback: while a job's history loads the curve
   * stays as it is, and the load draws the full curve itself (set_props) when it lands. A figure is
   * only returned when what it shows changed (a new figure is a full Plotly redraw).
   */
  function mlLoss(selected, data) {
    attachJobClicks();
    if (!S.cfg) return noUpdate(2);
    syncLive(data);
    if (selected && S.live.jobs[selected]) S.selectedJob = selected;
    const job = selectedJob(H.jobsView(S.live, 30));
    if (!job) {
      if (S.lossShown === '') return noUpdate(2);
      S.lossShown = '';
      return [lossFigure([]), 'Loss: no job selected'];
    }
    if (!(job in S.lossHistory)) {
      startLossLoad(job);
      return noUpdate(2);
    }
    return lossView(job, false);
  }

  function lossView(job, force) {
    const history = S.lossHistory[job] || [];
    const lastT = history.length ? history[history.length - 1][0] : '';
    const points = history.concat((S.lossPoints[job] || []).filter((p) => p[0] > lastT));
    const key = job + ':' + points.length + ':' + (points.length ? points[points.length - 1][0] : '');
    if (key === S.lossShown && !force) return noUpdate(2);
    S.lossShown = key;
    return [lossFigure(points), 'Loss · ' + H.text(job, 80)];
  }

  function startLossLoad(job) {
    if (S.lossLoading[job]) return;
    S.lossLoading[job] = loadLossHistory(job).then(() => {
      delete S.lossLoading[job];
      // still the job to show (the user may have picked another meanwhile): draw it with its history
      if (selectedJob(H.jobsView(S.live, 30)) !== job) return;
      const out = lossView(job, true);
      setProps(ID.mlLoss, { figure: out[0] });
      setProps(ID.mlLossTitle, { children: out[1] });
    });
  }

  /** A job's ml.<job>.loss history from REST, into S.lossHistory (empty when it has none yet). */
  async function loadLossHistory(job) {
    const started = S.live.jobs[job] && S.live.jobs[job].started;
    const since = started ? Math.max(60, Math.ceil((serverNow() - H.toMs(started)) / 1000) + 60) : 86400;
    let history = [];
    try {
      // only a job that has reported a loss has the series (asking for an unknown one is a 400)
      const name = 'ml.' + job + '.loss';
      const known = (await getJSON('/api/metrics/series')).series.some((s) => s.name === name);
      const body = known ? await getJSON('/api/metrics?max_points=400&since=' + since + '&series=' + encodeURIComponent(name)) : { series: [] };
      const s = body.series[0] || { t: [], v: [] };
      history = s.t.map((t, i) => [H.localTime(t), s.v[i]]);
    } catch (err) {
      // a job that has reported no loss yet has no series: the live points fill the curve
    }
    S.lossHistory[job] = history;
  }

  // -- export -----------------------------------------------------------------------------------------

  /** The export dialog's download link for its choices; opening it defaults to what the charts show. */
  function exportLink(series, range, format, layout) {
    if (!S.cfg) return noUpdate(2);
    const seconds = S.cfg.ranges[range] || S.cfg.live_window_s;
    const wide = layout === 'wide';
    const href = H.metricsExportUrl({
      series: series || [], since: seconds, format: format || 'csv', layout: layout || 'long',
    });
    const n = (series || []).length;
    const summary = n ? n + ' series · last ' + H.duration(seconds) + ' · ' + (format || 'csv') + (wide ? ' · wide' : ' · long') : 'Pick at least one series';
    return [n ? href : null, summary];
  }

  function exportOpen(clicks, range, isOpen) {
    if (!clicks) return noUpdate(3);
    const opening = !isOpen;
    if (!opening) return [false, dc.no_update, dc.no_update];
    const shown = S.cfg ? Array.from(new Set(chartIds().flatMap(chartSeries))).filter((s) => S.knownSeries.has(s)) : [];
    return [true, range || 'live', shown];
  }

  function feedExport(filterValue, search) {
    return H.feedExportUrl(filterValue, search, { format: 'csv' });
  }

  // -- the panels' callback: every panel of the event store in one run ------------------------------

  /**
   * Each panel: the inputs it reads (component ids: a run triggered by none of them skips it), how it
   * is called, and the props it writes as "id.property" (in the order it answers them). One Dash
   * callback instead of one per panel: every callback run costs Dash several store dispatches, each
   * re-checking every component of the page, and that, not the panels, was most of a frame's cost.
   */
  const PANELS = [
    {
      name: 'feed', inputs: [ID.events, 'mova-tick', ID.feedFilter, 'feed-search', 'feed-rev'],
      run: (v) => feed(v['mova-events.data'], v['feed-filter.value'], v['feed-search.value'], v['mova-tick.n_intervals']),
      outputs: ['activity-feed-empty.children', 'activity-feed-empty.className', 'feed-count.children'],
    },
    {
      name: 'health', inputs: [ID.events], run: (v) => health(v['mova-events.data']),
      outputs: ['health-badge.children', 'health-pill.className', 'health-icon.icon', 'health-pill.title', 'health-popover-body.children'],
    },
    {
      name: 'notifications', dedupe: true, inputs: [ID.events, 'notification-state', 'mova-tick'],
      run: (v) => notifications(v['mova-events.data'], v['notification-state.data'], v['mova-tick.n_intervals']),
      outputs: ['notification-list.children', 'notification-count.children', 'notification-count.className'],
    },
    {
      name: 'toasts', inputs: [ID.events], run: (v) => [toasts(v['mova-events.data'], v['toasts.children'])],
      outputs: ['toasts.children'],
    },
    {
      name: 'ml', dedupe: true, inputs: [ID.events, 'mova-tick', ID.mlSelected],
      run: (v) => mlPanel(v['mova-events.data'], v['mova-tick.n_intervals'], v['ml-selected.data']),
      outputs: ['ml-jobs.children', 'ml-models.children', 'ml-predictions.children', 'ml-jobs-count.children'],
    },
    {
      name: 'loss', inputs: [ID.events, ID.mlSelected], run: (v) => mlLoss(v['ml-selected.data'], v['mova-events.data']),
      outputs: ['ml-loss.figure', 'ml-loss-title.children'],
    },
    {
      name: 'transfers', dedupe: true, inputs: [ID.events, 'mova-tick'], run: (v) => transfersPanel(v['mova-events.data'], v['mova-tick.n_intervals']),
      outputs: ['transfers.children', 'transfers-count.children'],
    },
    {
      name: 'presence', dedupe: true, inputs: [ID.events, 'mova-tick'], run: (v) => presencePanel(v['mova-events.data'], v['mova-tick.n_intervals']),
      outputs: ['presence.children', 'presence-count.children'],
    },
    {
      name: 'plugins', dedupe: true, inputs: [ID.events, 'mova-tick'], run: (v) => pluginsPanel(v['mova-events.data'], v['mova-tick.n_intervals']),
      outputs: ['plugins.children', 'plugins-count.children'],
    },
    {
      name: 'charts', inputs: [ID.events, 'metrics-pause'], run: (v) => charts(v['mova-events.data'], v['metrics-pause.n_clicks']),
      outputs: () => {
        const ids = S.cfg ? chartIds() : [];
        return ids.map((id) => id + '.extendData').concat(ids.map((id) => 'metrics-stat-' + id + '.children'), ['metrics-pause-label.children', 'metrics-pause.className']);
      },
    },
  ];

  /**
   * The panels' callback (callbacks/store.py). It has no Dash outputs: dash-renderer applies a
   * callback's answer to EVERY output component, no_update or not, one store dispatch each (and each
   * dispatch re-checks every component of the page), so thirty outputs cost thirty dispatches per
   * event even when one value changed. The panels' answers are written with set_props instead, one
   * call per component whose props changed.
   */
  function panels() {
    const ctx = dc.callback_context || {};
    const values = Object.assign({}, ctx.inputs || {}, ctx.states || {});
    const trig = triggered();
    const writes = {};
    PANELS.forEach((panel) => {
      const own = trig.filter((p) => panel.inputs.some((id) => p.indexOf(id + '.') === 0));
      if (trig.length && !own.length) return; // none of its inputs changed
      const keys = typeof panel.outputs === 'function' ? panel.outputs() : panel.outputs;
      S.trigOverride = own;
      try {
        const result = panel.run(values);
        let list = keys.length === 1 && !Array.isArray(result) ? [result] : result;
        // values equal to what this panel last wrote are not written again (each write re-renders)
        if (panel.dedupe && Array.isArray(list)) list = changedOnly('panel:' + panel.name, list).out;
        if (!Array.isArray(list)) return;
        keys.forEach((key, i) => {
          if (list[i] === dc.no_update || list[i] === undefined) return;
          const dot = key.lastIndexOf('.');
          const id = key.slice(0, dot);
          (writes[id] = writes[id] || {})[key.slice(dot + 1)] = list[i];
        });
      } catch (err) {
        console.error('MOVA: the ' + panel.name + ' panel failed:', err && err.message);
      } finally {
        S.trigOverride = null;
      }
    });
    Object.keys(writes).forEach((id) => setProps(id, writes[id]));
    S.panelWrites += Object.keys(writes).length;
    return dc.no_update;
  }

  // -- callback entry points (registered by callbacks/*.py) ------------------------------------------

  dc.mova = {
    boot(config) {
      boot(config);
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
    panels,
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
    mlPanel,
    mlLoss,
    transfersPanel,
    presencePanel,
    pluginsPanel,
    exportLink,
    exportOpen,
    feedExport,
  };
  // for debugging in the console and for browser tests: read-only view of the client state
  window.movaLive = { state: S, snapshot };
})();
