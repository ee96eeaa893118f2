/*
 * MOVA Live client: the feed's list, the rows of one server query and its count (pure; no DOM, no fetch).
 *
 * The feed's rows answer a query of the server (queries.js feedQuery): its newest page first, older
 * pages below ("Load older" carries on from the server's next_before), and the live events that match
 * on top, newest first, no seq twice, at most `cap` rows (the oldest pushed out are "Load older"'s
 * again). The server also counts the query (count=1: matching of total, up to its last_seq); each
 * live event after that seq adds to the count, and one that arrives while a query is in flight waits
 * in `inflight` until the answer says which seq it counted up to, so no event is counted twice or
 * missed. panel_feed.js asks the server, matches the live events and paints; these functions keep
 * the list, in the state object `create` returns (the panel's state holds its fields).
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).feedList = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /**
   * A list with no rows: `cap` rows at most, `more`/`next` where "Load older" carries on, `partial`
   * (the server searched only its newest events), the server's `count` ({matching, total, exact}) up to
   * seq `countedTo`, and `inflight` (the live events seen while a query is asked, or null).
   */
  function create(cap) {
    return { feed: [], cap: cap || 50, more: false, next: null, partial: false, count: null, countedTo: Infinity, inflight: null };
  }

  /** Put `incoming` into a newest-first list without duplicates; keep at most `max` (0: all). */
  function insertNewestFirst(items, incoming, max) {
    const seen = new Set(items.map((e) => e.seq));
    const add = incoming.filter((e) => !seen.has(e.seq) && seen.add(e.seq));
    const all = add.concat(items).sort((a, b) => b.seq - a.seq);
    return max ? all.slice(0, max) : all;
  }

  /** A new query is asked: no count, no cursor until it answers; live events wait in `inflight`. */
  function startQuery(list, cap) {
    list.count = null;
    list.inflight = [];
    list.more = false;
    list.next = null;
    list.cap = cap;
  }

  /** A page's answer: the paging cursor and, with count=1, the count (plus the live events it missed). */
  function takeAnswer(list, body) {
    list.more = !!body.more;
    list.next = body.next_before === undefined ? null : body.next_before;
    list.partial = !!body.partial;
    if (body.matching === undefined) return;
    list.count = { matching: body.matching, total: body.total, exact: body.matching_exact !== false };
    list.countedTo = body.last_seq;
    (list.inflight || []).forEach((x) => countAfter(list, x.seq, x.match));
    list.inflight = null;
  }

  /** A query's newest page (`rows`: its events the feed shows) replaces the rows, keeping the live ones from `before` on. */
  function takeNewest(list, body, rows, before) {
    // the live events that matched while the server answered stay (none older: no hole in the list)
    const live = list.feed.filter((e) => e.seq >= before);
    list.feed = insertNewestFirst(live, rows, 0);
    takeAnswer(list, body);
  }

  /** An older page ("Load older") goes below the rows; the cap grows to keep it. */
  function takeOlder(list, body, rows) {
    list.feed = insertNewestFirst(list.feed, rows, 0);
    list.cap = Math.max(list.cap, list.feed.length);
    takeAnswer(list, body);
  }

  function countAfter(list, seq, match) {
    if (seq <= list.countedTo) return;
    list.count.total += 1;
    if (match) list.count.matching += 1;
  }

  /** A live event, matching the query or not, counts once: now if the count is known, else when it is. */
  function countLive(list, seq, match) {
    if (list.inflight) list.inflight.push({ seq, match });
    else if (list.count) countAfter(list, seq, match);
  }

  /** Live events that match go on top; the oldest rows beyond the cap make room ("Load older" brings them back). */
  function addLive(list, fresh) {
    if (!fresh.length) return;
    const all = insertNewestFirst(list.feed, fresh, 0);
    list.feed = all.slice(0, list.cap);
    if (all.length > list.cap) {
      list.more = true; // the same query, before the oldest row kept
      list.next = list.feed[list.feed.length - 1].seq;
    }
  }

  /** "1,234" unfiltered; "40 of 28,554 matching" filtered; "≥ 12 of …" when the server's count stopped early. */
  function countText(count, filtered, fallback) {
    if (!count) return fallback;
    const n = (v) => Number(v).toLocaleString('en-US');
    const m = (count.exact ? '' : '≥ ') + n(count.matching);
    return filtered ? m + ' of ' + n(count.total) + ' matching' + (count.exact ? '' : ' (search stopped early)') : m;
  }

  /** What the feed says with no rows: searching, nothing yet in what the server searched, or nothing matching. */
  function emptyText(list, loading, filtered) {
    if (loading) return 'Searching the history…';
    if (!list.feed.length && list.partial) return 'Nothing yet in the newest events searched: "Load older" searches on';
    if (!list.feed.length && filtered) return 'No event matches the filter';
    return '';
  }

  return { create, insertNewestFirst, startQuery, takeAnswer, takeNewest, takeOlder, countLive, addLive, countText, emptyText };
});
