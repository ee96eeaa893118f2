/*
 * MOVA Live client: the boot and the wiring. Loaded last.
 *
 * Boot: GET /api/status (the server's folded live state, health, last seq) and each panel's recent
 * history, then the socket with after=<last seq>; connection.js decides when to open, retry and poll
 * (its effects are here). Socket frames (read by workarounds.js) go to stream.js, which merges them
 * in order and backfills what a lost frame hid; poll answers take the same path. Both end in
 * scheduler.js `deliver`, which marks the panels that show the new events and paints each once per
 * frame or per its interval. An idle page runs a 1 s clock (on the panels' shared beats) that pings
 * on the heartbeat and lets panels refresh relative times. Panels are registered by their modules in
 * window.mova.panels (loaded before this file); their callbacks are exposed to Dash (bridge.js).
 * window.movaLive is a read-only view for the console, the browser tests and bench/.
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
  const Scheduler = need('./scheduler.js');
  const Stream = need('./stream.js');
  const BOOT_RETRY_MS = 3000;

  const ctx = {
    cfg: null, ids: {}, epoch: null, bootSeq: 0, clockOffsetMs: 0, serverLastSeq: null, health: null,
    transport: null, lastEventAt: null, delayMs: null, window: EventWindow.create(2000), live: Live.create(),
    conn: null, panels: {}, healthReports: [], started: false, reloading: false, seconds: 0,
    serverNow: () => Date.now() + ctx.clockOffsetMs,
    getJSON,
    markDirty: (name, now) => scheduler.markDirty(name, now),
    /** Fold the window's events after the live state's cursor into it (whichever live panel runs first). */
    syncLive() {
      const fresh = ctx.window.take('live');
      if (fresh.length) Live.apply(ctx.live, fresh);
      return fresh;
    },
  };

  const scheduler = Scheduler.create(ctx, {
    writeStore(id, rev) {
      B.setProps(id, { data: rev });
      W.trimHistory(root());
    },
    later: (fn, ms) => setTimeout(fn, ms),
    nextFrame: (fn) => requestAnimationFrame(fn),
    hidden: () => typeof document !== 'undefined' && document.hidden,
    now: () => Date.now(),
    perfNow: () => performance.now(),
  });
  const deliver = scheduler.deliver;
  const markDirty = ctx.markDirty;
  const stream = Stream.create(ctx, { getJSON, deliver, markDirty, resetPage });

  async function getJSON(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('GET ' + path + ' answered ' + response.status);
    return response.json();
  }

  function panelList() {
    return Object.keys(ctx.panels).map((k) => ctx.panels[k]);
  }

  function root() {
    return typeof window !== 'undefined' ? window : null;
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

  // -- resets, reachability, polling, the clock ------------------------------------------------

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
        if (status.health && status.health.state) stream.setHealth(status.health);
      }, () => {});
    }
  }

  let pollInFlight = false;
  async function pollOnce() {
    if (pollInFlight || ctx.conn.state === 'connected' || ctx.conn.state === 'closed') return;
    pollInFlight = true;
    try {
      await stream.fetchAfter('rest');
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
    W.listen(win, stream.receive);
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
      lastSeq: ctx.window.lastSeq, lostFrames: ctx.window.info.lostFrames, flushes: scheduler.stats.flushes, epoch: ctx.epoch,
      historyTrimmed: W.state.trimmed, socket: W.state.socket !== null, writes: B.stats.writes,
      flushesByPanel: Object.fromEntries(scheduler.stats.revs), paintMs: Object.fromEntries(scheduler.stats.paintMs), healthShown: ctx.panels.health ? ctx.panels.health.shown.slice() : [],
    });
  }

  if (typeof window !== 'undefined') start(window);
  return { ctx, deliver, markDirty, snapshot, start, boot, receive: stream.receive };
});
