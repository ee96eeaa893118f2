/*
 * MOVA Live client: when each panel paints.
 *
 * `deliver(events, via)` is the one merge path (socket frames and poll answers alike): new events go
 * into the event window (event_window.js), and each panel that shows any of them is marked dirty. A
 * dirty panel is painted once per animation frame at most, or once per its `minIntervalMs` on the
 * clock's shared beats (format.js untilBeat: the panels due then render together); `eager` panels
 * paint at once, every time. Painting is either the panel's own `paint(ctx)` straight into the DOM,
 * or a write of a new revision to its events store (one dcc.Store per panel, ids from the page
 * config), whose clientside callback (callbacks/<panel>.py) takes the new events by its cursor. A
 * frame of events no panel shows paints nothing. Timers and frames come in through `deps`, so node
 * can drive it with a clock of its own (tests/js/scheduler.test.js).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    m.scheduler = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const HIDDEN_FLUSH_MS = 250; // animation frames stop in a hidden tab: flush on a timer there

  /**
   * A scheduler for the panels of `ctx` (ctx.panels, ctx.cfg.panels: name -> store id, ctx.window).
   * `deps`: writeStore(storeId, rev), later(fn, ms), nextFrame(fn), hidden(), now(), perfNow().
   */
  function create(ctx, deps) {
    const dirty = new Map(); // panel name -> true while its paint is pending
    const revs = new Map(); // panel name -> paints so far
    const paintMs = new Map(); // milliseconds each direct panel spent painting, for the console and benchmarks
    const stats = { flushes: 0, revs, paintMs };

    /** Ask for `name` to paint: next frame, or on its interval's beat; `now` paints at once. */
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
      // its first paint (empty state, seed) comes at once; later ones on the beats of its interval
      if (panel.minIntervalMs && revs.has(name)) deps.later(run, F.untilBeat(panel.minIntervalMs, deps.now()));
      else if (deps.hidden()) deps.later(run, HIDDEN_FLUSH_MS);
      else deps.nextFrame(run);
    }

    function flush(name) {
      if (!dirty.delete(name)) return;
      stats.flushes += 1;
      const rev = (revs.get(name) || 0) + 1;
      revs.set(name, rev);
      const panel = ctx.panels[name];
      if (panel.paint) {
        const t0 = deps.perfNow();
        panel.paint(ctx); // painted straight into the DOM: no Dash callback (ARCHITECTURE.md, "Cost")
        paintMs.set(name, (paintMs.get(name) || 0) + deps.perfNow() - t0); // movaLive.snapshot().paintMs
        return;
      }
      deps.writeStore(ctx.cfg.panels[name], rev);
    }

    /** New events into the window, then the panels that show any of them; returns how many were new. */
    function deliver(events, via) {
      const fresh = ctx.window.merge(events);
      if (!fresh.length) return 0;
      if (via) {
        ctx.lastEventAt = deps.now();
        ctx.transport = via;
        ctx.delayMs = Math.max(0, ctx.serverNow() - F.toMs(fresh[fresh.length - 1].time));
      }
      Object.keys(ctx.panels).forEach((name) => {
        const p = ctx.panels[name];
        if (fresh.some((e) => p.wants(e, ctx))) markDirty(name, p.eager);
      });
      return fresh.length;
    }

    return { markDirty, deliver, stats };
  }

  return { create, HIDDEN_FLUSH_MS };
});
