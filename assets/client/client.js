/*
 * MOVA Live client: the live path, from the boot to the panels' stores. Loaded last.
 *
 * Boot: GET /api/status (the server's folded live state, health, last seq) and the recent history,
 * then the socket with after=<last seq> (connection.js decides when to open, retry, poll). Socket
 * frames (read by workarounds.js) and poll answers both go through `deliver`, the one merge
 * (event_window.js). A panel whose events arrived is marked dirty; its store (one dcc.Store per
 * panel, ids from the page config) is written once per animation frame at most, or once per the
 * panel's `minIntervalMs` on the clock's shared beats (F.untilBeat: one render for all panels due),
 * and the panel's clientside callback (callbacks/<panel>.py) takes the new events by its cursor and
 * paints them. A frame of events no panel shows writes nothing; an idle page
 * runs a 1 s clock that pings on the heartbeat and lets panels refresh relative times in the DOM.
 * Panels are registered by their modules in window.mova.panels (loaded before this file).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    m.client = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const B = need('./bridge.js');
  const W = need('./workarounds.js');
  const Conn = need('./connection.js');
  const EventWindow = need('./event_window.js');
  const Live = need('./live_state.js');
  const Reset = need('./reset.js');
  const BOOT_RETRY_MS = 3000;
  const HIDDEN_FLUSH_MS = 250; // animation frames stop in a hidden tab: flush on a timer there

  const ctx = {
    cfg: null, ids: {}, epoch: null, bootSeq: 0, clockOffsetMs: 0, serverLastSeq: null, health: null,
    transport: null, lastEventAt: null, delayMs: null, window: EventWindow.create(2000), live: Live.create(),
    conn: null, panels: {}, healthReports: [], started: false, reloading: false, flushes: 0, seconds: 0, chain: Promise.resolve(),
    serverNow: () => Date.now() + ctx.clockOffsetMs,
    getJSON,
    markDirty,
    /** Fold the window's events after the live state's cursor into it (whichever live panel runs first). */
    syncLive() {
      const fresh = ctx.window.take('live');
      if (fresh.length) Live.apply(ctx.live, fresh);
      return fresh;
    },
  };
  const dirty = new Map(); // panel name -> true while its store write is pending
  const revs = new Map();
  const paintMs = new Map(); // milliseconds each direct panel spent painting, for the console and benchmarks

  async function getJSON(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('GET ' + path + ' answered ' + response.status);
    return response.json();
  }

  // -- panels' stores --------------------------------------------------------------------------

  function panelList() {
    return Object.keys(ctx.panels).map((k) => ctx.panels[k]);
  }

  /** Ask for `name`'s store to be written (or a direct panel to paint): next frame, or when its interval allows. */
  function markDirty(name, now) {
    const panel = ctx.panels[name];
    if (!panel || !ctx.cfg || !(panel.paint || ctx.cfg.panels[name])) return;
    if (now) {
      dirty.set(name, true);
      flush(name); // every state shows, however close together (a short degraded spell too)
      return;
    }
    if (dirty.has(name)) return;
    dirty.set(name, true);
    const run = () => flush(name);
    // a panel with an interval paints on the clock's beats, with the other panels due then (one
    // render); its first paint (empty state, seed) comes at once
    if (panel.minIntervalMs && revs.has(name)) setTimeout(run, F.untilBeat(panel.minIntervalMs, Date.now()));
    else if (typeof document !== 'undefined' && document.hidden) setTimeout(run, HIDDEN_FLUSH_MS);
    else requestAnimationFrame(run);
  }

  function flush(name) {
    if (!dirty.delete(name)) return;
    ctx.flushes += 1;
    const rev = (revs.get(name) || 0) + 1;
    revs.set(name, rev);
    const panel = ctx.panels[name];
    if (panel.paint) {
      const t0 = performance.now();
      panel.paint(ctx); // painted straight into the DOM: no Dash callback (ARCHITECTURE.md, "Cost")
      paintMs.set(name, (paintMs.get(name) || 0) + performance.now() - t0); // movaLive.snapshot().paintMs
      return;
    }
    B.setProps(ctx.cfg.panels[name], { data: rev });
    W.trimHistory(root());
  }

  function root() {
    return typeof window !== 'undefined' ? window : null;
  }

  /** The one merge path: new events into the window, then the panels that show any of them. */
  function deliver(events, via) {
    const fresh = ctx.window.merge(events);
    if (!fresh.length) return 0;
    if (via) {
      ctx.lastEventAt = Date.now();
      ctx.transport = via;
      ctx.delayMs = Math.max(0, ctx.serverNow() - F.toMs(fresh[fresh.length - 1].time));
    }
    panelList().forEach((p) => {
      if (fresh.some((e) => p.wants(e, ctx))) markDirty(p.name, p.eager);
    });
    return fresh.length;
  }

  // -- boot -------------------------------------------------------------------------------------

  async function loadInitial() {
    const status = await getJSON('/api/status');
    ctx.epoch = status.epoch;
    ctx.serverLastSeq = status.last_seq;
    ctx.clockOffsetMs = F.toMs(status.server_time) - Date.now();
    ctx.health = status.health || null;
    // the panels' state as the server folded it; live events after its seq fold on (live_state.js)
    ctx.live = Live.seed(status.state);
    ctx.window.cursor('live', ctx.live.last_seq || status.last_seq);
    ctx.bootSeq = status.last_seq;
    ctx.storeCategories = status.categories || []; // the feed offers each (its history, not only what came live)
    const before = '/api/events?before=' + (status.last_seq + 1);
    const pages = await Promise.all(panelList().filter((p) => p.history).map((p) => p.history(ctx, before)));
    const history = [].concat(...pages);
    panelList().forEach((p) => p.boot && p.boot(ctx, history));
    deliver(history, null);
    ctx.window.advanceTo(status.last_seq);
    panelList().forEach((p) => markDirty(p.name)); // empty states and seeds show even with no event
  }

  async function boot(config) {
    if (!config || ctx.started) return;
    ctx.cfg = config;
    ctx.ids = config.ids;
    ctx.started = true;
    ctx.conn = Conn.create(effects, { maxTries: config.max_reconnect_tries, heartbeatS: config.heartbeat_s });
    const clock = () => {
      tick();
      setTimeout(clock, F.untilBeat(1000, Date.now())); // on the beat the panels paint on
    };
    setTimeout(clock, F.untilBeat(1000, Date.now()));
    for (;;) {
      try {
        await loadInitial();
        break;
      } catch (err) {
        console.warn('MOVA: initial load failed, retrying:', err && err.message);
        ctx.conn.bootFailed();
        markDirty('status');
        reachability();
        await new Promise((resolve) => setTimeout(resolve, BOOT_RETRY_MS));
      }
    }
    ctx.conn.start();
  }

  const effects = {
    open(count) {
      ctx.window.newConnection();
      const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
      B.setProps(ctx.ids.socket, { url: Conn.socketUrl(base, ctx.window.lastSeq, ctx.epoch, count, ctx.cfg.frame_ms) });
    },
    ping(id) {
      // the id makes each send differ: the component sends nothing for a repeated value (NOTES.md)
      B.setProps(ctx.ids.socket, { send: JSON.stringify({ kind: 'ping', id }) });
    },
    poll(on) {
      B.setChanged(ctx.ids.poll, { disabled: !on });
      if (on) pollOnce();
    },
    later: (fn, ms) => setTimeout(fn, ms),
    cancel: (handle) => clearTimeout(handle),
    onChange() {
      markDirty('status');
      reachability();
    },
  };

  // -- frames -----------------------------------------------------------------------------------

  /** Everything after our last seq from REST, page by page (backfill and polling). */
  async function fetchAfter(via) {
    for (let page = 0; page < 100; page += 1) {
      const body = await getJSON('/api/events?limit=1000&after=' + ctx.window.lastSeq);
      if (checkReset(body)) return;
      ctx.serverLastSeq = body.last_seq;
      deliver(body.events, via);
      if (!body.more || !body.events.length) return;
    }
  }

  function setHealth(h) {
    ctx.health = { state: h.state, message: h.message, components: h.components, time: h.time };
    ctx.healthReports.push(ctx.health); // each one is shown, however soon the next follows
    markDirty('health', true);
  }

  async function handleFrame(frame) {
    if (ctx.reloading) return;
    // every frame after hello is numbered: a jump means one was lost, whatever its kind (DESIGN.md §4)
    if (frame.kind !== 'hello' && ctx.window.frame(frame.n) === 'lost') {
      const [, status] = await Promise.all([fetchAfter('websocket'), getJSON('/api/status')]);
      if (status.health && status.health.state) setHealth(status.health);
    }
    switch (frame.kind) {
      case 'hello':
        if (checkReset(frame)) return;
        ctx.serverLastSeq = frame.last_seq;
        if (frame.server_time) ctx.clockOffsetMs = F.toMs(frame.server_time) - Date.now();
        if (frame.health && frame.health.state) setHealth(frame.health);
        ctx.conn.hello(frame.heartbeat_s);
        ctx.transport = 'websocket';
        break;
      case 'reset':
        resetPage(frame.reason || 'the server reset the stream');
        return;
      case 'health':
        setHealth(frame);
        break;
      case 'events':
        deliver(frame.events, 'websocket');
        if (ctx.serverLastSeq === null || ctx.window.lastSeq > ctx.serverLastSeq) ctx.serverLastSeq = ctx.window.lastSeq;
        break;
      case 'gap':
        await fetchAfter('websocket');
        break;
      case 'error':
        console.warn('MOVA: server said', frame.error);
        break;
      default:
        break;
    }
  }

  /** One socket frame, in arrival order: each waits for the backfill the one before may have started. */
  function receive(data) {
    if (typeof data !== 'string') return;
    // the socket is alive when a frame arrives, not when its turn in the chain comes (a long backfill before
    // it must not make a pong look late: connection.js gives up on a ping unanswered for 10 s)
    if (ctx.conn) ctx.conn.received();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (err) {
      console.warn('MOVA: a socket frame was not JSON');
      return;
    }
    ctx.chain = ctx.chain.then(() => handleFrame(frame)).catch((err) => console.warn('MOVA: frame failed:', err && err.message));
  }

  // -- resets (reset.js), polling, the clock ----------------------------------------------------------------------

  /** Whether the server's answer says our position is gone (new store, fewer events): then reload. */
  function checkReset(server) {
    const why = Reset.reason({ epoch: ctx.epoch, lastSeq: ctx.window.lastSeq }, server);
    if (why) resetPage(why);
    return why !== null;
  }

  function resetPage(why) {
    if (ctx.reloading) return;
    Reset.reload(window, why, () => {
      ctx.reloading = true;
      ctx.conn.close('reset');
    });
  }

  /**
   * The health badge says "unknown" while the server cannot be reached (connection.js `unreachable`):
   * repaint it when that changes, and once the server answers a poll again, ask it for its health
   * (a socket that comes back brings it in its hello).
   */
  let wasUnreachable = false;
  function reachability() {
    const now = Conn.unreachable(ctx.conn && ctx.conn.info);
    if (now === wasUnreachable) return;
    wasUnreachable = now;
    markDirty('health', true);
    if (!now && ctx.conn.state !== 'connected') {
      getJSON('/api/status').then((status) => {
        if (status.health && status.health.state) setHealth(status.health);
      }, () => {});
    }
  }

  let pollInFlight = false;
  async function pollOnce() {
    if (pollInFlight || ctx.conn.state === 'connected' || ctx.conn.state === 'closed') return;
    pollInFlight = true;
    try {
      await fetchAfter('rest');
      ctx.conn.polled(true);
      if (ctx.conn.state !== 'connected') ctx.transport = 'rest';
    } catch (err) {
      ctx.conn.polled(false);
    } finally {
      pollInFlight = false;
      markDirty('status');
      reachability();
    }
  }

  function tick() {
    ctx.seconds += 1;
    if (ctx.conn) ctx.conn.tick();
    panelList().forEach((p) => {
      if (!p.tick) return;
      try {
        p.tick(ctx, ctx.seconds);
      } catch (err) {
        console.error('MOVA: the ' + p.name + ' panel failed on the clock:', err && err.message);
      }
    });
    W.trimHistory(root());
  }

  // -- wiring -----------------------------------------------------------------------------------------

  function start(win) {
    W.listen(win, receive);
    W.watchAria(win);
    const panels = (win.mova && win.mova.panels) || {};
    Object.keys(panels).forEach((name) => {
      ctx.panels[name] = panels[name];
      B.expose(name, panels[name].callbacks || {});
    });
    B.expose('live', {
      boot(config) {
        boot(config);
        return B.noUpdate();
      },
      socketState(state) {
        // the component's default before any url, or the state of a socket it has since replaced
        if (!state || state.readyState !== 3 || !ctx.conn) return B.noUpdate();
        // the sign-in ended (4401): session.js takes the page to the login page; polling would only earn 401s
        const session = win.movaSession;
        if (session && state.code === session.CLOSE_SESSION_ENDED) ctx.conn.close('session ended');
        else ctx.conn.socketClosed();
        return B.noUpdate();
      },
      poll(n) {
        return n ? pollOnce().then(() => B.noUpdate()) : B.noUpdate();
      },
    });
    // read-only view for the console and the browser tests
    win.movaLive = { ctx, snapshot, get state() { return snapshot(); } };
  }

  /** The connection and window, as the badge and the browser tests read them. */
  function snapshot() {
    const c = ctx.conn ? ctx.conn.info : {};
    return Object.assign({}, c, {
      started: ctx.started, socketLive: c.state === 'connected', polling: c.state === 'polling',
      transport: ctx.transport, lastEventAt: ctx.lastEventAt, delayMs: ctx.delayMs, serverLastSeq: ctx.serverLastSeq,
      lastSeq: ctx.window.lastSeq, lostFrames: ctx.window.info.lostFrames, flushes: ctx.flushes, epoch: ctx.epoch,
      historyTrimmed: W.state.trimmed, socket: W.state.socket !== null, writes: B.stats.writes,
      flushesByPanel: Object.fromEntries(revs), paintMs: Object.fromEntries(paintMs), healthShown: ctx.panels.health ? ctx.panels.health.shown.slice() : [],
    });
  }

  if (typeof window !== 'undefined') start(window);
  return { ctx, deliver, markDirty, snapshot };
});
