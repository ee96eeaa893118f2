/*
 * MOVA Live client: how the feed draws an event and a category.
 *
 * `row(event, now)` is one feed row as a DOM node (panel_feed.js keeps one per event, keyed by seq, in
 * the rows container Dash renders empty): the category's icon, the title and detail (describe.js,
 * text only, never parsed as HTML), the type as a button that narrows the feed to the category
 * (`data-only`), the actor, and the relative time, whose node the row keeps as `movaTime` so the
 * panel refreshes the time without rebuilding the row. `chip(category)` is a filter chip as a Dash
 * component description: the filter's Checklist renders its labels.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    m.feedRows = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const E = need('./describe.js');
  const D = need('./dom.js');

  /** An event's row; `now`: the server's time in ms, for "5m ago". */
  function row(event, now) {
    const category = E.categoryOf(event.type);
    const d = E.describe(event);
    const time = D.h('span', { className: 'feed-time', text: F.relativeTime(event.time, now), title: event.time || '' });
    const only = D.h('button', {
      className: 'feed-type feed-only', text: event.type, title: 'Show only ' + category + ' events',
      attrs: { type: 'button' }, dataset: { only: category },
    });
    const node = D.h('div', { className: 'feed-item cat-' + F.cssToken(category), dataset: { seq: event.seq, category } }, [
      D.h('div', { className: 'feed-icon' }, [D.icon(E.categoryIcon(category), 16)]),
      D.h('div', { className: 'feed-main' }, [
        D.h('div', { className: 'feed-title', text: d.title || event.type, title: d.title || '' }),
        d.detail ? D.h('div', { className: 'feed-detail', text: d.detail }) : null,
        D.h('div', { className: 'feed-meta' }, [only, D.h('span', { className: 'feed-actor', text: E.actorOf(event) }), time]),
      ]),
    ]);
    node.movaTime = time;
    return node;
  }

  /** A category's filter chip: {label, value} for the Checklist's options. */
  function chip(category) {
    const comp = (type, ns, props) => ({ type, namespace: ns, props });
    return {
      label: comp('Span', 'dash_html_components', {
        className: 'chip cat-' + F.cssToken(category),
        children: [comp('DashIconify', 'dash_iconify', { icon: 'tabler:' + E.categoryIcon(category), width: 14, height: 14 }),
          comp('Span', 'dash_html_components', { children: category })],
      }),
      value: category,
    };
  }

  return { row, chip };
});
