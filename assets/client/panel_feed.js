/*
 * MOVA Live panel: the activity feed (callbacks/feed.py).
 *
 * Rows are DOM nodes in the rows container Dash renders empty (components/feed.py), one per event,
 * keyed by seq: a frame of k new events inserts k rows and drops those past the cap. The client
 * calls `paint` in the task that merged a socket frame with new rows (`eager`) (no Dash callback: see
 * ARCHITECTURE.md, "Cost"). The filter
 * chips and the search are Dash inputs of the panel's callback; a category first seen live gets its
 * own chip (ticked). While the user has scrolled away from the top, new rows are counted as unseen
 * ("3 new", a click jumps back). Relative times refresh every 10 s from the client's clock.
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

  const S = { feed: [], cap: 50, filter: null, search: '', following: true, unseen: 0, categories: [], nodes: new Map(), shown: 0, scrollTop: 0 };

  /** Put `incoming` into a newest-first list without duplicates; keep at most `max` (0: all). */
  function insertNewestFirst(items, incoming, max) {
    const seen = new Set(items.map((e) => e.seq));
    const add = incoming.filter((e) => !seen.has(e.seq) && seen.add(e.seq));
    const all = add.concat(items).sort((a, b) => b.seq - a.seq);
    return max ? all.slice(0, max) : all;
  }

  /** The rows to show: categories ticked (null: all) and text matching the search (case-insensitive). */
  function view(items, selected, search) {
    const wanted = selected ? new Set(selected) : null;
    const needle = String(search || '').trim().toLowerCase();
    return items.filter((event) => {
      if (wanted && !wanted.has(F.categoryOf(event.type))) return false;
      if (!needle) return true;
      const d = F.describe(event);
      return [d.title, d.detail, event.type, event.source, F.actorOf(event)].join(' ').toLowerCase().indexOf(needle) >= 0;
    });
  }

  /** The history pages ask for every category but the per-second metric samples. */
  function historyTypes(cfg) {
    const cats = new Set(cfg.categories.concat(S.categories));
    cats.delete('system');
    return Array.from(cats).concat(['system.status', 'system.health']).map((t) => '&type=' + encodeURIComponent(t)).join('');
  }

  function rowNode(event, now) {
    const category = F.categoryOf(event.type);
    const d = F.describe(event);
    const time = D.h('span', { className: 'feed-time', text: F.relativeTime(event.time, now), title: event.time || '' });
    const node = D.h('div', { className: 'feed-item cat-' + F.cssToken(category), dataset: { seq: event.seq, category } }, [
      D.h('div', { className: 'feed-icon' }, [D.icon(F.categoryIcon(category), 16)]),
      D.h('div', { className: 'feed-main' }, [
        D.h('div', { className: 'feed-title', text: d.title || event.type, title: d.title || '' }),
        d.detail ? D.h('div', { className: 'feed-detail', text: d.detail }) : null,
        D.h('div', { className: 'feed-meta' }, [
          D.h('span', { className: 'feed-type', text: event.type }), D.h('span', { className: 'feed-actor', text: F.actorOf(event) }), time,
        ]),
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

  function noteCategories(ctx, rows) {
    const known = new Set(ctx.cfg.categories.concat(S.categories));
    const added = [];
    rows.forEach((e) => {
      const c = F.categoryOf(e.type);
      if (!known.has(c)) {
        known.add(c);
        added.push(c);
      }
    });
    if (!added.length) return;
    S.categories = S.categories.concat(added);
    S.filter = (S.filter || ctx.cfg.categories).concat(added);
    B.setProps(ctx.ids.feed_filter, { options: ctx.cfg.categories.concat(S.categories).map(chip), value: S.filter });
  }

  function indicator(ctx) {
    const live = ctx.conn && (ctx.conn.state === 'connected' || ctx.conn.info.pollOk === true);
    const state = !live ? 'offline' : S.following ? 'live' : 'paused';
    B.setChanged(ctx.ids.feed_live, { className: 'live-indicator is-' + state });
    B.setChanged(ctx.ids.feed_live_text, { children: { live: 'Live', paused: 'Paused', offline: 'Offline' }[state] });
    B.setChanged(ctx.ids.feed_new, { className: S.unseen > 0 && !S.following ? 'feed-new' : 'feed-new is-hidden' });
    B.setChanged(ctx.ids.feed_new_text, { children: S.unseen + ' new' });
  }

  function attachScroll(ctx) {
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
  }

  function paint(ctx, refreshTimes) {
    const shown = view(S.feed, S.filter, S.search);
    const now = ctx.serverNow();
    const box = D.byId(ctx.ids.feed_rows);
    D.keyedList(box, shown, (e) => e.seq, () => '', (e) => rowNode(e, now), S.nodes);
    if (refreshTimes) S.nodes.forEach((entry, seq) => {
      const e = shown.find((x) => x.seq === seq);
      if (e) D.setText(entry.node.movaTime, F.relativeTime(e.time, now));
    });
    S.shown = shown.length;
    D.text(ctx.ids.feed_empty, S.feed.length ? 'No event matches the filter' : '');
    D.className(ctx.ids.feed_empty, 'empty-state feed-empty' + (S.shown ? ' is-hidden' : ''));
    D.text(ctx.ids.feed_count, S.shown === S.feed.length ? String(S.feed.length) : S.shown + ' of ' + S.feed.length);
    if (S.following && S.scrollTop > 0) {
      const el = D.byId(ctx.ids.activity_feed);
      if (el) el.scrollTop = 0; // stay at the newest row; a user who scrolled away keeps their place
    }
  }

  const ctxOf = () => window.mova.client.ctx;

  /** New events (the client calls it in the animation frame after they arrived). */
  function take(ctx) {
    if (!ctx.cfg) return;
    attachScroll(ctx);
    const excluded = new Set(ctx.cfg.feed_excluded_types);
    const rows = ctx.window.take('feed').filter((e) => !excluded.has(e.type));
    if (!rows.length && S.painted) return;
    S.painted = true;
    if (rows.length) {
      noteCategories(ctx, rows);
      S.feed = insertNewestFirst(S.feed, rows, S.cap);
      if (!S.following) S.unseen += rows.filter((e) => e.seq > ctx.bootSeq).length;
    }
    paint(ctx, false);
    indicator(ctx);
  }

  const callbacks = {
    /** The filter or the search changed. */
    update(filterValue, search) {
      const ctx = ctxOf();
      if (!ctx.cfg) return B.noUpdate();
      S.filter = filterValue || null;
      S.search = search || '';
      paint(ctx, false);
      return B.noUpdate();
    },
    async older(clicks) {
      const ctx = ctxOf();
      if (!clicks || !ctx.cfg) return B.noUpdate(2);
      const oldest = S.feed.length ? S.feed[S.feed.length - 1].seq : ctx.bootSeq + 1;
      try {
        const body = await ctx.getJSON('/api/events?before=' + oldest + '&limit=' + ctx.cfg.feed_max_items + historyTypes(ctx.cfg));
        const excluded = new Set(ctx.cfg.feed_excluded_types);
        S.feed = insertNewestFirst(S.feed, body.events.filter((e) => !excluded.has(e.type)), 0);
        S.cap = Math.max(S.cap, S.feed.length);
        paint(ctx, false);
        return [!body.more, body.more ? 'Load older' : 'No older events'];
      } catch (err) {
        console.warn('MOVA: loading older events failed:', err && err.message);
        return [false, 'Load older (failed, retry)'];
      }
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
    history(ctx, before) {
      S.cap = ctx.cfg.feed_max_items;
      return ctx.getJSON(before + '&limit=' + ctx.cfg.feed_max_items + historyTypes(ctx.cfg)).then((b) => b.events);
    },
    tick(ctx, seconds) {
      if (seconds % 10 === 0 && S.feed.length) paint(ctx, true);
      indicator(ctx);
    },
    callbacks,
    insertNewestFirst,
    view,
    state: S,
  };
});
