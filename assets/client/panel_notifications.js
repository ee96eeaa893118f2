/*
 * MOVA Live panel: the notification centre, the bell's count and the toasts (callbacks/notifications.py).
 *
 * Notifications and alerts are rare, so this panel answers with Dash components (the list's remove
 * buttons are pattern-matching Dash buttons). Read, removed and cleared marks live in a localStorage
 * store (notification-state), so they survive a reload; a new store epoch starts them afresh.
 * Toasts show only what arrived after the page loaded; errors and critical alerts stay until closed.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).notifications = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const B = need('./bridge.js');

  const S = { notes: [], marks: null, toasts: [] };
  const comp = (type, namespace, props, children) => {
    const p = Object.assign({}, props);
    if (children !== undefined) p.children = Array.isArray(children) ? children.filter((c) => c !== null && c !== '') : children;
    return { type, namespace, props: p };
  };
  const div = (props, children) => comp('Div', 'dash_html_components', props, children);
  const span = (props, children) => comp('Span', 'dash_html_components', props, children);
  const ico = (name, size) => comp('DashIconify', 'dash_iconify', { icon: 'tabler:' + name, width: size, height: size });

  /** Fresh marks for the localStorage store (a new epoch starts clean: seqs restart with a new store). */
  function marksOf(state, epoch) {
    const s = state && typeof state === 'object' ? state : {};
    if (epoch && s.epoch && s.epoch !== epoch) return { epoch, read_upto: 0, read: [], removed: [], cleared_upto: 0 };
    return {
      epoch: s.epoch || epoch || null, read_upto: s.read_upto || 0, read: Array.isArray(s.read) ? s.read : [],
      removed: Array.isArray(s.removed) ? s.removed : [], cleared_upto: s.cleared_upto || 0,
    };
  }

  /** The list (newest first, at most max) and the unread count, given the marks. */
  function view(items, marks, max) {
    const removed = new Set(marks.removed);
    const read = new Set(marks.read);
    const list = items.filter((e) => e.seq > marks.cleared_upto && !removed.has(e.seq))
      .sort((a, b) => b.seq - a.seq).slice(0, max || 10)
      .map((e) => ({ event: e, unread: e.seq > marks.read_upto && !read.has(e.seq) }));
    return { list, unread: list.filter((x) => x.unread).length };
  }

  const top = (items, from) => items.reduce((m, e) => Math.max(m, e.seq), from);
  const markAllRead = (m, items) => Object.assign({}, m, { read_upto: top(items, m.read_upto), read: [] });
  const clearAll = (m, items) => {
    const t = top(items, m.cleared_upto);
    return Object.assign({}, m, { cleared_upto: t, read_upto: Math.max(m.read_upto, t), read: [], removed: [] });
  };
  function removeOne(m, seq) {
    const removed = m.removed.filter((x) => x > m.cleared_upto);
    if (removed.indexOf(seq) < 0) removed.push(seq);
    return Object.assign({}, m, { removed: removed.slice(-200) });
  }

  function item(entry, now, removeId) {
    const e = entry.event;
    const level = F.levelOf(e);
    const d = F.describe(e);
    const kind = e.type === 'alert' ? 'alert · ' + ((e.data && e.data.severity) || '') : 'notification';
    return div({ className: 'notif-item lvl-' + level + (entry.unread ? ' is-unread' : ''), key: String(e.seq), 'data-seq': String(e.seq) }, [
      div({ className: 'notif-icon' }, ico(F.levelIcon(level), 18)),
      div({ className: 'notif-main' }, [
        div({ className: 'notif-title' }, d.title),
        d.detail ? div({ className: 'notif-message' }, d.detail) : null,
        div({ className: 'notif-meta' }, [span({}, kind), span({ title: e.time }, F.relativeTime(e.time, now))]),
      ]),
      comp('Button', 'dash_html_components', { id: { type: removeId, seq: e.seq }, className: 'notif-remove', title: 'Remove', type: 'button', n_clicks: 0 }, ico('x', 14)),
    ]);
  }

  function paint(ctx) {
    const v = view(S.notes, marksOf(S.marks, ctx.epoch), ctx.cfg.notifications_max);
    const now = ctx.serverNow();
    const list = v.list.length ? v.list.map((entry) => item(entry, now, ctx.ids.notification_remove))
      : [div({ className: 'empty-state' }, [ico('bell', 28), span({}, 'You are all caught up')])];
    B.setChanged(ctx.ids.notification_list, { children: list });
    B.setChanged(ctx.ids.notification_count, { children: String(v.unread), className: 'bell-count' + (v.unread ? '' : ' is-zero') });
  }

  function toasts(ctx, fresh) {
    const added = fresh.filter((e) => e.seq > ctx.bootSeq).slice(-5).map((e) => {
      const level = F.levelOf(e);
      const d = F.describe(e);
      const props = {
        id: 'toast-' + e.seq, header: [ico(F.levelIcon(level), 18), span({ className: 'toast-title' }, d.title)], is_open: true,
        dismissable: true, class_name: 'mova-toast lvl-' + level, header_class_name: 'mova-toast-header',
      };
      if (!F.isSticky(e)) props.duration = 5000;
      return comp('Toast', 'dash_bootstrap_components', props, d.detail ? d.detail : undefined);
    });
    if (added.length) B.setProps(ctx.ids.toasts, { children: S.toasts.filter((t) => t.props.is_open !== false).concat(added).slice(-5) });
  }

  const ctxOf = () => window.mova.client.ctx;

  const callbacks = {
    /** New notices (its store) or new marks (the localStorage store). */
    update(rev, marks, current) {
      const ctx = ctxOf();
      if (!ctx.cfg) return B.noUpdate();
      S.marks = marks;
      S.toasts = current || [];
      const fresh = ctx.window.take('notifications').filter(F.isNotice);
      if (fresh.length) S.notes = S.notes.concat(fresh).sort((a, b) => b.seq - a.seq).slice(0, ctx.cfg.notifications_max * 5);
      paint(ctx);
      toasts(ctx, fresh);
      return B.noUpdate();
    },
    /** Mark all read, clear all, or remove one: the new marks. */
    action(markClicks, clearClicks, removeClicks, state) {
      const ctx = ctxOf();
      const trig = B.triggered();
      if (!trig.length || !ctx.cfg) return B.noUpdate();
      const marks = marksOf(state, ctx.epoch);
      const shown = view(S.notes, marks, ctx.cfg.notifications_max).list.map((x) => x.event);
      if (B.firedBy(ctx.ids.notification_mark_read) && markClicks) return markAllRead(marks, shown);
      if (B.firedBy(ctx.ids.notification_clear) && clearClicks) return clearAll(marks, shown);
      const prop = trig[0];
      if (prop[0] === '{' && (removeClicks || []).some(Boolean)) {
        const id = JSON.parse(prop.slice(0, prop.lastIndexOf('.')));
        if (B.triggeredValue()) return removeOne(marks, id.seq); // not a button appearing: a click
      }
      return B.noUpdate();
    },
    toggle(clicks, isOpen) {
      const ctx = ctxOf();
      if (!document.body.dataset.movaBellClose) {
        // a click anywhere outside the bell and its dropdown closes the dropdown, like a menu
        document.body.dataset.movaBellClose = '1';
        document.addEventListener('click', (event) => {
          const inside = event.target.closest && event.target.closest('#' + ctx.ids.notification_bell + ', .notif-popover');
          if (!inside && document.querySelector('.notif-popover')) B.setProps(ctx.ids.notification_popover, { is_open: false });
        });
      }
      return clicks ? !isOpen : B.noUpdate();
    },
  };

  return {
    name: 'notifications',
    wants: F.isNotice,
    history(ctx, before) {
      return ctx.getJSON(before + '&limit=' + ctx.cfg.notifications_max * 3 + '&type=notification&type=alert').then((b) => b.events);
    },
    tick(ctx, seconds) {
      if (seconds % 10 === 5 && S.notes.length) paint(ctx); // relative times
    },
    callbacks, marksOf, view, markAllRead, clearAll, removeOne,
  };
});
