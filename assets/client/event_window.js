/*
 * MOVA Live client: the event window, the one merge of the live path (DESIGN.md §4, §5).
 *
 * Socket frames and REST pages both go through `merge`: events in seq order, every seq at or below
 * the last one merged dropped (a source always delivers a contiguous run after the seq it was asked
 * from, so this drops exactly the duplicates). The window keeps the newest `max` events in seq order.
 * Each panel reads what is new to it with its own cursor (`take(panel)`: the events after the seq it
 * last took, found by binary search), so a panel that runs late, or twice, loses and repeats nothing,
 * and its work follows the new events, not the window. `frame(n)` checks the frame counter of a
 * socket connection: a jump means a frame was lost, and the client backfills from REST before it
 * merges the frame that revealed it.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).eventWindow = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** Index of the first event with seq above `cursor` in seq-ordered `events`. */
  function firstAfter(events, cursor) {
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid].seq > cursor) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  function create(max) {
    const w = {
      events: [], lastSeq: 0, lastN: 0, lostFrames: 0, cursors: Object.create(null), max: max || 2000,
    };

    return {
      info: w,
      get lastSeq() { return w.lastSeq; },
      /** Merge any source's events; returns the new ones in seq order. */
      merge(incoming) {
        const sorted = (incoming || []).filter((e) => e && Number.isFinite(e.seq)).sort((a, b) => a.seq - b.seq);
        const fresh = [];
        for (const event of sorted) {
          if (event.seq > w.lastSeq) {
            fresh.push(event);
            w.lastSeq = event.seq;
          }
        }
        for (const e of fresh) w.events.push(e);
        // amortized: cut only once a quarter over, so one event costs a push, not a copy
        const keep = Math.max(w.max, fresh.length);
        if (w.events.length > keep + (keep >> 2)) w.events.splice(0, w.events.length - keep);
        return fresh;
      },
      /** The position the page has reached without holding the events (the server's seq at boot). */
      advanceTo(seq) { if (seq > w.lastSeq) w.lastSeq = seq; },
      /** A new socket connection numbers its frames from 1 again. */
      newConnection() { w.lastN = 0; },
      /** 'ok', or 'lost' when frames were skipped before frame `n` (counted; the caller backfills). */
      frame(n) {
        if (!Number.isFinite(n)) return 'ok';
        const lost = n > w.lastN + 1;
        w.lastN = n;
        if (lost) w.lostFrames += 1;
        return lost ? 'lost' : 'ok';
      },
      /** Start `panel`'s cursor at `seq` (what it already shows, e.g. the server's snapshot). */
      cursor(panel, seq) {
        if (seq !== undefined) w.cursors[panel] = seq;
        return w.cursors[panel] || 0;
      },
      /** The events after `panel`'s cursor; moves the cursor past them. */
      take(panel) {
        const from = firstAfter(w.events, w.cursors[panel] || 0);
        if (from >= w.events.length) return [];
        const out = w.events.slice(from);
        w.cursors[panel] = out[out.length - 1].seq;
        return out;
      },
    };
  }

  return { create, firstAfter };
});
