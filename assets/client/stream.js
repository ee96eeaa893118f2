/*
 * MOVA Live client: the stream's frames and the REST pages that fill its gaps (DESIGN.md §4).
 *
 * `receive(text)` takes one socket frame as the component's socket got it (workarounds.js listens)
 * and chains it after the frame before, so a backfill one frame started ends before the next frame
 * merges. Every frame after hello is numbered: a jump means a frame was lost, and the events after
 * our last seq come from REST (`fetchAfter`, page by page) before the frame that showed it. hello
 * sets the clock offset, the server's last seq and health; reset and an answer whose epoch or seq
 * says our position is gone (reset.js) reload the page; events and poll answers go to `deliver`
 * (scheduler.js). Polling reads through `fetchAfter` too. The server comes in through `deps`
 * (getJSON, deliver, markDirty, resetPage), so node drives it with answers of its own
 * (tests/js/stream.test.js).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    m.stream = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const Reset = need('./reset.js');
  const MAX_PAGES = 100; // one backfill reads at most 100 pages of 1000 events; the next frame or poll goes on

  /** The stream of `ctx` (ctx.window, ctx.conn, ctx.epoch...). `deps`: getJSON, deliver, markDirty, resetPage. */
  function create(ctx, deps) {
    let chain = Promise.resolve();

    /** Everything after our last seq from REST, page by page (backfill and polling). */
    async function fetchAfter(via) {
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const body = await deps.getJSON('/api/events?limit=1000&after=' + ctx.window.lastSeq);
        if (checkReset(body)) return;
        ctx.serverLastSeq = body.last_seq;
        deps.deliver(body.events, via);
        if (!body.more || !body.events.length) return;
      }
    }

    /** Whether the server's answer says our position is gone (new store, fewer events): then reload. */
    function checkReset(server) {
      const why = Reset.reason({ epoch: ctx.epoch, lastSeq: ctx.window.lastSeq }, server);
      if (why) deps.resetPage(why);
      return why !== null;
    }

    function setHealth(h) {
      ctx.health = { state: h.state, message: h.message, components: h.components, time: h.time };
      ctx.healthReports.push(ctx.health); // each one is shown, however soon the next follows
      deps.markDirty('health', true);
    }

    async function handleFrame(frame) {
      if (ctx.reloading) return;
      if (frame.kind !== 'hello' && ctx.window.frame(frame.n) === 'lost') {
        const [, status] = await Promise.all([fetchAfter('websocket'), deps.getJSON('/api/status')]);
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
          deps.resetPage(frame.reason || 'the server reset the stream');
          return;
        case 'health':
          setHealth(frame);
          break;
        case 'events':
          deps.deliver(frame.events, 'websocket');
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
      if (typeof data !== 'string') return chain;
      // the socket is alive when a frame arrives, not when its turn in the chain comes (a long backfill before
      // it must not make a pong look late: connection.js gives up on a ping unanswered for 10 s)
      if (ctx.conn) ctx.conn.received();
      let frame;
      try {
        frame = JSON.parse(data);
      } catch (err) {
        console.warn('MOVA: a socket frame was not JSON');
        return chain;
      }
      chain = chain.then(() => handleFrame(frame)).catch((err) => console.warn('MOVA: frame failed:', err && err.message));
      return chain;
    }

    return { receive, fetchAfter, checkReset, setHealth };
  }

  return { create, MAX_PAGES };
});
