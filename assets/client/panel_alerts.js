/*
 * MOVA Live panel: when the alerts card refreshes (components/alerts.py, callbacks/alerts.py).
 *
 * The card is drawn by server callbacks: user actions, and a refresh every 5 s (its interval) for
 * the rules' states and latest values. Each refresh costs dash-renderer a callback round and, when a
 * value moved, a re-render of the list: ~1.5 % of a core at the demo's rate (bench/results.md
 * section 6), for a card that sits below the charts. Like Grafana's panels out of view, it refreshes
 * only while it shows: this module turns the interval off when the card leaves the view (or the tab
 * is hidden) and on again when it shows, with a refresh at once. Actions refresh it as before.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).alerts = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const B = need('./bridge.js');
  const D = need('./dom.js');

  /**
   * Keep the refresh on exactly while the card is in view and the tab shown. `fx`: observe(fn) calls
   * fn(inView) whenever the card's visibility changes; onTabChange(fn); hidden(); setPolling(on);
   * refresh(). Returns the current state, for tests.
   */
  function follow(fx) {
    const s = { inView: false, polling: null };
    const apply = () => {
      const on = s.inView && !fx.hidden();
      if (on === s.polling) return;
      s.polling = on;
      fx.setPolling(on);
      if (on) fx.refresh(); // what changed while it was out of view shows at once
    };
    fx.observe((inView) => {
      s.inView = inView;
      apply();
    });
    fx.onTabChange(apply);
    apply();
    return s;
  }

  const view = { state: null }; // what follow() decided, for the browser tests

  function boot(ctx) {
    const card = typeof document !== 'undefined' && document.getElementById(ctx.ids.alerts_card);
    if (!card || typeof IntersectionObserver === 'undefined') return; // no card (or no observer): the interval runs
    view.state = follow({
      observe: (fn) => D.watchView(card, fn),
      onTabChange: (fn) => document.addEventListener('visibilitychange', fn),
      hidden: () => document.hidden,
      setPolling: (on) => B.setProps(ctx.ids.alerts_poll, { disabled: !on }),
      refresh: () => B.setProps(ctx.ids.alerts_changed, { data: Date.now() }), // an Input of the card's refresh
    });
  }

  return { name: 'alerts', wants: () => false, boot, follow, view };
});
