/*
 * MOVA Live panel: the activity feed (callbacks/feed.py).
 *
 * What the feed shows is a query of the server over the whole retained history: its ticked
 * categories and its search (queries.js feedQuery) ask GET /api/events with type/q/count=1 for the
 * newest page and "n of N matching"; "Load older" carries on the same query from the server's
 * next_before; the export link is the same query (GET /api/events/export). Live events that match the
 * filter (queries.js matches: the server's rules) stream in on top and add to the count (the rows and
 * the count are kept by feed_list.js). A change of filter starts a new query (the search after 300 ms
 * without typing); an answer to an older query is dropped. A row's type is a button: "only this
 * category" in one click; "All" ticks every chip.
 *
 * Rows are DOM nodes (feed_rows.js) in the rows container Dash renders empty (components/feed.py),
 * one per event, keyed by seq: a frame of k new events inserts k rows (no Dash callback:
 * ARCHITECTURE.md, "Cost"), painted in the task that merged the frame (`eager`). While the user has
 * scrolled away from the top, new rows are counted as unseen ("3 new", a click jumps back). Relative
 * times refresh every 10 s.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).feed = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const E = need('./describe.js');
  const Q = need('./queries.js');
  const L = need('./feed_list.js');
  const R = need('./feed_rows.js');
  const D = need('./dom.js');
  const B = need('./bridge.js');

  const SEARCH_DEBOUNCE_MS = 300;
  // the list's fields (feed_list.js create: rows, cap, cursor, count), then the panel's own
  const S = Object.assign(L.create(), {
    filter: null, search: '', following: true, unseen: 0, categories: [], nodes: new Map(), scrollTop: 0,
    // the server query the rows answer: its generation (older answers are dropped), its query string
    gen: 0, key: null, loading: false, timer: null,
  });

  const allCategories = (cfg) => cfg.categories.concat(S.categories);
  const selectedOf = (cfg, filter) => filter || allCategories(cfg);
  const isAll = (cfg, filter) => !filter || allCategories(cfg).every((c) => filter.indexOf(c) >= 0);

  /** Categories first seen: a chip each, ticked when every chip was (a narrowed filter stays narrow). */
  function noteCategories(ctx, rows) {
    const known = new Set(allCategories(ctx.cfg));
    const added = [];
    rows.forEach((e) => {
      const c = E.categoryOf(e.type);
      if (!known.has(c) && ctx.cfg.feed_excluded_types.indexOf(e.type) < 0) {
        known.add(c);
        added.push(c);
      }
    });
    if (!added.length) return;
    const all = isAll(ctx.cfg, S.filter);
    S.categories = S.categories.concat(added);
    if (all) S.filter = null;
    const value = selectedOf(ctx.cfg, S.filter);
    S.key = queryKey(ctx); // the rows already answer the wider query: the callback this write fires starts none
    B.setProps(ctx.ids.feed_filter, { options: allCategories(ctx.cfg).map(R.chip), value });
  }

  function indicator(ctx) {
    const live = ctx.conn && (ctx.conn.state === 'connected' || ctx.conn.info.pollOk === true);
    const state = !live ? 'offline' : S.following ? 'live' : 'paused';
    B.setChanged(ctx.ids.feed_live, { className: 'live-indicator is-' + state });
    B.setChanged(ctx.ids.feed_live_text, { children: { live: 'Live', paused: 'Paused', offline: 'Offline' }[state] });
    B.setChanged(ctx.ids.feed_new, { className: S.unseen > 0 && !S.following ? 'feed-new' : 'feed-new is-hidden' });
    B.setChanged(ctx.ids.feed_new_text, { children: S.unseen + ' new' });
  }

  /** The export link is the feed's query up to the newest event the page holds, built when it is clicked. */
  function exportUrl(ctx) {
    return Q.feedExportUrl(selectedOf(ctx.cfg, S.filter), S.search, { before: ctx.window.lastSeq + 1, format: 'csv' });
  }

  function attach(ctx) {
    const box = D.byId(ctx.ids.activity_feed);
    if (!box || box.dataset.movaScroll) return;
    box.dataset.movaScroll = '1';
    box.addEventListener('scroll', () => {
      S.scrollTop = box.scrollTop;
      const following = box.scrollTop < 16;
      if (following === S.following) return;
      S.following = following;
      if (following) S.unseen = 0;
      indicator(ctx);
    }, { passive: true });
    box.addEventListener('click', (event) => {
      const only = event.target.closest && event.target.closest('[data-only]');
      if (only) B.setProps(ctx.ids.feed_filter, { value: [only.dataset.only] }); // fires `update`: a new query
    });
    const link = D.byId(ctx.ids.feed_export);
    if (link) link.addEventListener('click', () => { link.href = exportUrl(ctx); }); // read at activation, after this
  }

  function paint(ctx, refreshTimes) {
    const now = ctx.serverNow();
    const box = D.byId(ctx.ids.feed_rows);
    D.keyedList(box, S.feed, (e) => e.seq, () => '', (e) => R.row(e, now), S.nodes);
    if (refreshTimes) S.nodes.forEach((entry, seq) => {
      const e = S.feed.find((x) => x.seq === seq);
      if (e) D.setText(entry.node.movaTime, F.relativeTime(e.time, now));
    });
    const filtered = !isAll(ctx.cfg, S.filter) || !!S.search.trim();
    D.text(ctx.ids.feed_empty, L.emptyText(S, S.loading, filtered));
    D.className(ctx.ids.feed_empty, 'empty-state feed-empty' + (S.feed.length ? ' is-hidden' : ''));
    D.text(ctx.ids.feed_count, S.loading ? '…' : L.countText(S.count, filtered, String(S.feed.length)));
    const count = D.byId(ctx.ids.feed_count);
    if (count) count.title = S.count && !S.count.exact ? 'The count stopped at its time budget: at least this many match' : '';
    B.setChanged(ctx.ids.feed_older, { disabled: S.loading || !S.more, title: S.more ? 'Load older matching events' : 'No older matching events' });
    if (S.following && S.scrollTop > 0) {
      const el = D.byId(ctx.ids.activity_feed);
      if (el) el.scrollTop = 0; // stay at the newest row; a user who scrolled away keeps their place
    }
  }

  /** The feed's query string (type=..., q=...): the rows, the count and "Load older" ask it. */
  function queryKey(ctx) {
    return Q.feedQuery(selectedOf(ctx.cfg, S.filter), S.search);
  }

  /** The newest page of the feed's query and its count, replacing the rows. */
  async function runQuery(ctx) {
    const gen = (S.gen += 1);
    S.key = queryKey(ctx);
    S.loading = true;
    // the rows shown that match the new filter stay while the server answers (narrowing shows at once)
    const prefixes = Q.feedTypes(selectedOf(ctx.cfg, S.filter));
    S.feed = S.feed.filter((e) => Q.matches(e, prefixes, S.search));
    const before = ctx.window.lastSeq + 1;
    L.startQuery(S, ctx.cfg.feed_max_items);
    paint(ctx, false);
    B.setChanged(ctx.ids.feed_export, { href: Q.feedExportUrl(selectedOf(ctx.cfg, S.filter), S.search, { format: 'csv' }) });
    try {
      const body = await ctx.getJSON('/api/events?count=1&limit=' + S.cap + '&before=' + before + '&' + S.key);
      if (gen !== S.gen) return;
      L.takeNewest(S, body, body.events.filter((e) => ctx.cfg.feed_excluded_types.indexOf(e.type) < 0), before);
    } catch (err) {
      if (gen !== S.gen) return;
      console.warn('MOVA: the feed query failed:', err && err.message);
      S.inflight = null;
    }
    S.loading = false;
    paint(ctx, false);
  }

  const ctxOf = () => window.mova.client.ctx;

  /** New events (the client calls it in the task that merged them). */
  function take(ctx) {
    if (!ctx.cfg) return;
    attach(ctx);
    const taken = ctx.window.take('feed');
    if (!taken.length && S.painted) return;
    S.painted = true;
    const excluded = new Set(ctx.cfg.feed_excluded_types);
    const rows = taken.filter((e) => !excluded.has(e.type));
    noteCategories(ctx, rows);
    const prefixes = Q.feedTypes(selectedOf(ctx.cfg, S.filter));
    const fresh = [];
    taken.forEach((e) => {
      const match = !excluded.has(e.type) && Q.matches(e, prefixes, S.search);
      if (match) fresh.push(e);
      L.countLive(S, e.seq, match);
    });
    L.addLive(S, fresh);
    if (!S.following) S.unseen += fresh.filter((e) => e.seq > ctx.bootSeq).length;
    paint(ctx, false);
    indicator(ctx);
  }

  const callbacks = {
    /** The filter or the search changed: a new query (a search once the typing stops). */
    update(filterValue, search) {
      const ctx = ctxOf();
      if (!ctx.cfg) return B.noUpdate();
      clearTimeout(S.timer);
      const run = () => {
        S.filter = filterValue && !isAll(ctx.cfg, filterValue) ? filterValue.slice() : null;
        S.search = String(search || '');
        if (queryKey(ctx) !== S.key) runQuery(ctx);
      };
      if (B.firedBy(ctx.ids.feed_search)) S.timer = setTimeout(run, SEARCH_DEBOUNCE_MS);
      else run();
      return B.noUpdate();
    },
    /** "All": tick every chip. */
    all(clicks) {
      const ctx = ctxOf();
      return clicks && ctx.cfg ? allCategories(ctx.cfg) : B.noUpdate();
    },
    /** "Load older": the same query, from where the last page stopped. */
    async older(clicks) {
      const ctx = ctxOf();
      if (!clicks || !ctx.cfg || S.next === null || S.loading) return B.noUpdate();
      const gen = S.gen;
      B.setChanged(ctx.ids.feed_older, { disabled: true });
      try {
        const body = await ctx.getJSON('/api/events?limit=' + ctx.cfg.feed_max_items + '&before=' + S.next + '&' + S.key);
        if (gen !== S.gen) return B.noUpdate();
        const excluded = new Set(ctx.cfg.feed_excluded_types);
        L.takeOlder(S, body, body.events.filter((e) => !excluded.has(e.type)));
      } catch (err) {
        console.warn('MOVA: loading older events failed:', err && err.message);
        B.setChanged(ctx.ids.feed_older, { title: 'Load older (failed, retry)' });
      }
      paint(ctx, false);
      return B.noUpdate();
    },
    jump(clicks) {
      const ctx = ctxOf();
      const el = ctx.ids.activity_feed && D.byId(ctx.ids.activity_feed);
      if (clicks && el) el.scrollTo({ top: 0, behavior: 'smooth' });
      S.following = true;
      S.unseen = 0;
      indicator(ctx);
      return B.noUpdate();
    },
  };

  return {
    name: 'feed',
    paint: take,
    eager: true, // painted in the task that merged the frame: waiting for an animation frame added 16 ms or more
    wants: (e, ctx) => ctx.cfg.feed_excluded_types.indexOf(e.type) < 0,
    /** The boot's page: the newest events of the (unfiltered) query with its count. */
    history(ctx, before) {
      S.cap = ctx.cfg.feed_max_items;
      noteCategories(ctx, (ctx.storeCategories || []).map((c) => ({ type: c }))); // every category stored
      S.key = queryKey(ctx);
      return ctx.getJSON(before + '&count=1&limit=' + S.cap + '&' + S.key).then((b) => {
        L.takeNewest(S, b, b.events, Infinity); // the boot's page replaces the rows: no live row kept
        return b.events;
      });
    },
    boot(ctx) { ctx.window.cursor('feed', ctx.bootSeq); }, // the boot's page is in the rows already
    tick(ctx, seconds) {
      if (seconds % 10 === 0 && S.feed.length) paint(ctx, true);
      indicator(ctx);
    },
    callbacks,
    state: S,
  };
});
