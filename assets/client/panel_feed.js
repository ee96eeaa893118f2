/*
 * MOVA Live panel: the activity feed (callbacks/feed.py).
 *
 * What the feed shows is a query of the server over the whole retained history: its ticked
 * categories (F.feedTypes) and its search ask GET /api/events with type/q/count=1 for the newest page
 * and "n of N matching"; "Load older" carries on the same query from the server's next_before; the
 * export link is the same query (GET /api/events/export). Live events that match the filter
 * (F.typeMatches, F.textMatches: the server's rules) stream in on top and add to the count. A change
 * of filter starts a new query (the search after 300 ms without typing); an answer to an older query
 * is dropped. A row's type is a button: "only this category" in one click; "All" ticks every chip.
 *
 * Rows are DOM nodes in the rows container Dash renders empty (components/feed.py), one per event,
 * keyed by seq: a frame of k new events inserts k rows (no Dash callback: ARCHITECTURE.md, "Cost"),
 * painted in the task that merged the frame (`eager`). While the user has scrolled away from the top,
 * new rows are counted as unseen ("3 new", a click jumps back). Relative times refresh every 10 s.
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
  const D = need('./dom.js');
  const B = need('./bridge.js');

  const SEARCH_DEBOUNCE_MS = 300;
  const S = {
    feed: [], cap: 50, filter: null, search: '', following: true, unseen: 0, categories: [], nodes: new Map(), scrollTop: 0,
    // the server query the rows answer: its generation (older answers are dropped), where "Load older"
    // carries on, the count and the seq it counted up to, live events taken while it was in flight
    gen: 0, key: null, loading: false, more: false, next: null, partial: false, count: null, countedTo: Infinity, inflight: null, timer: null,
  };

  /** Put `incoming` into a newest-first list without duplicates; keep at most `max` (0: all). */
  function insertNewestFirst(items, incoming, max) {
    const seen = new Set(items.map((e) => e.seq));
    const add = incoming.filter((e) => !seen.has(e.seq) && seen.add(e.seq));
    const all = add.concat(items).sort((a, b) => b.seq - a.seq);
    return max ? all.slice(0, max) : all;
  }

  const allCategories = (cfg) => cfg.categories.concat(S.categories);
  const selectedOf = (cfg, filter) => filter || allCategories(cfg);
  const isAll = (cfg, filter) => !filter || allCategories(cfg).every((c) => filter.indexOf(c) >= 0);

  /** Whether a live event belongs in the feed for these categories (null: all) and search: the server's rules. */
  function matches(event, prefixes, search) {
    return F.typeMatches(event.type, prefixes) && F.textMatches(event, search);
  }

  /** The query string of the feed's filter and search (type=..., q=...): rows, count and "Load older" share it. */
  function filterQuery(cfg, filter, search) {
    const types = F.feedTypes(selectedOf(cfg, filter));
    const q = String(search || '').trim();
    return F.query({ type: types.length ? types : ['none.selected'], q }); // no chip ticked: a type nothing has
  }

  /** "1,234" unfiltered; "40 of 28,554 matching" filtered; "≥ 12 of …" when the server's count stopped early. */
  function countText(count, filtered, fallback) {
    if (!count) return fallback;
    const n = (v) => Number(v).toLocaleString('en-US');
    const m = (count.exact ? '' : '≥ ') + n(count.matching);
    return filtered ? m + ' of ' + n(count.total) + ' matching' + (count.exact ? '' : ' (search stopped early)') : m;
  }

  function rowNode(event, now) {
    const category = F.categoryOf(event.type);
    const d = F.describe(event);
    const time = D.h('span', { className: 'feed-time', text: F.relativeTime(event.time, now), title: event.time || '' });
    const only = D.h('button', {
      className: 'feed-type feed-only', text: event.type, title: 'Show only ' + category + ' events',
      attrs: { type: 'button' }, dataset: { only: category },
    });
    const node = D.h('div', { className: 'feed-item cat-' + F.cssToken(category), dataset: { seq: event.seq, category } }, [
      D.h('div', { className: 'feed-icon' }, [D.icon(F.categoryIcon(category), 16)]),
      D.h('div', { className: 'feed-main' }, [
        D.h('div', { className: 'feed-title', text: d.title || event.type, title: d.title || '' }),
        d.detail ? D.h('div', { className: 'feed-detail', text: d.detail }) : null,
        D.h('div', { className: 'feed-meta' }, [only, D.h('span', { className: 'feed-actor', text: F.actorOf(event) }), time]),
      ]),
    ]);
    node.movaTime = time;
    return node;
  }

  function chip(category) {
    // a Dash component description: the Checklist's labels are rendered by Dash
    const comp = (type, ns, props) => ({ type, namespace: ns, props });
    return {
      label: comp('Span', 'dash_html_components', {
        className: 'chip cat-' + F.cssToken(category),
        children: [comp('DashIconify', 'dash_iconify', { icon: 'tabler:' + F.categoryIcon(category), width: 14, height: 14 }),
          comp('Span', 'dash_html_components', { children: category })],
      }),
      value: category,
    };
  }

  /** Categories first seen: a chip each, ticked when every chip was (a narrowed filter stays narrow). */
  function noteCategories(ctx, rows) {
    const known = new Set(allCategories(ctx.cfg));
    const added = [];
    rows.forEach((e) => {
      const c = F.categoryOf(e.type);
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
    B.setProps(ctx.ids.feed_filter, { options: allCategories(ctx.cfg).map(chip), value });
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
    return F.feedExportUrl(selectedOf(ctx.cfg, S.filter), S.search, { before: ctx.window.lastSeq + 1, format: 'csv' });
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
    D.keyedList(box, S.feed, (e) => e.seq, () => '', (e) => rowNode(e, now), S.nodes);
    if (refreshTimes) S.nodes.forEach((entry, seq) => {
      const e = S.feed.find((x) => x.seq === seq);
      if (e) D.setText(entry.node.movaTime, F.relativeTime(e.time, now));
    });
    const filtered = !isAll(ctx.cfg, S.filter) || !!S.search.trim();
    let empty = '';
    if (S.loading) empty = 'Searching the history…';
    else if (!S.feed.length && S.partial) empty = 'Nothing yet in the newest events searched: "Load older" searches on';
    else if (!S.feed.length && filtered) empty = 'No event matches the filter';
    D.text(ctx.ids.feed_empty, empty);
    D.className(ctx.ids.feed_empty, 'empty-state feed-empty' + (S.feed.length ? ' is-hidden' : ''));
    D.text(ctx.ids.feed_count, S.loading ? '…' : countText(S.count, filtered, String(S.feed.length)));
    const count = D.byId(ctx.ids.feed_count);
    if (count) count.title = S.count && !S.count.exact ? 'The count stopped at its time budget: at least this many match' : '';
    B.setChanged(ctx.ids.feed_older, { disabled: S.loading || !S.more, title: S.more ? 'Load older matching events' : 'No older matching events' });
    if (S.following && S.scrollTop > 0) {
      const el = D.byId(ctx.ids.activity_feed);
      if (el) el.scrollTop = 0; // stay at the newest row; a user who scrolled away keeps their place
    }
  }

  function queryKey(ctx) {
    return filterQuery(ctx.cfg, S.filter, S.search);
  }

  /** A page's answer: the paging cursor and, with count=1, the count (plus the live events it missed). */
  function takeAnswer(body) {
    S.more = !!body.more;
    S.next = body.next_before === undefined ? null : body.next_before;
    S.partial = !!body.partial;
    if (body.matching === undefined) return;
    S.count = { matching: body.matching, total: body.total, exact: body.matching_exact !== false };
    S.countedTo = body.last_seq;
    (S.inflight || []).forEach((x) => {
      if (x.seq <= S.countedTo) return;
      S.count.total += 1;
      if (x.match) S.count.matching += 1;
    });
    S.inflight = null;
  }

  /** The newest page of the feed's query and its count, replacing the rows. */
  async function runQuery(ctx) {
    const gen = (S.gen += 1);
    S.key = queryKey(ctx);
    S.loading = true;
    // the rows shown that match the new filter stay while the server answers (narrowing shows at once)
    const prefixes = F.feedTypes(selectedOf(ctx.cfg, S.filter));
    S.feed = S.feed.filter((e) => matches(e, prefixes, S.search));
    const before = ctx.window.lastSeq + 1;
    S.count = null;
    S.inflight = [];
    S.more = false;
    S.next = null;
    S.cap = ctx.cfg.feed_max_items;
    paint(ctx, false);
    B.setChanged(ctx.ids.feed_export, { href: F.feedExportUrl(selectedOf(ctx.cfg, S.filter), S.search, { format: 'csv' }) });
    try {
      const body = await ctx.getJSON('/api/events?count=1&limit=' + S.cap + '&before=' + before + '&' + S.key);
      if (gen !== S.gen) return;
      // the server's page, and the live events that matched while it answered (none older: no hole in the list)
      const live = S.feed.filter((e) => e.seq >= before);
      S.feed = insertNewestFirst(live, body.events.filter((e) => ctx.cfg.feed_excluded_types.indexOf(e.type) < 0), 0);
      takeAnswer(body);
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
    const prefixes = F.feedTypes(selectedOf(ctx.cfg, S.filter));
    const fresh = [];
    taken.forEach((e) => {
      const match = !excluded.has(e.type) && matches(e, prefixes, S.search);
      if (match) fresh.push(e);
      if (S.inflight) S.inflight.push({ seq: e.seq, match });
      else if (S.count && e.seq > S.countedTo) {
        S.count.total += 1;
        if (match) S.count.matching += 1;
      }
    });
    if (fresh.length) {
      const all = insertNewestFirst(S.feed, fresh, 0);
      S.feed = all.slice(0, S.cap);
      if (all.length > S.cap) {
        // the oldest rows made room: "Load older" brings them back (the same query, before the oldest kept)
        S.more = true;
        S.next = S.feed[S.feed.length - 1].seq;
      }
      if (!S.following) S.unseen += fresh.filter((e) => e.seq > ctx.bootSeq).length;
    }
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
        S.feed = insertNewestFirst(S.feed, body.events.filter((e) => !excluded.has(e.type)), 0);
        S.cap = Math.max(S.cap, S.feed.length);
        takeAnswer(body);
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
        S.feed = insertNewestFirst([], b.events, 0);
        takeAnswer(b);
        return b.events;
      });
    },
    boot(ctx) { ctx.window.cursor('feed', ctx.bootSeq); }, // the boot's page is in the rows already
    tick(ctx, seconds) {
      if (seconds % 10 === 0 && S.feed.length) paint(ctx, true);
      indicator(ctx);
    },
    callbacks,
    insertNewestFirst,
    matches,
    countText,
    filterQuery,
    state: S,
  };
});
