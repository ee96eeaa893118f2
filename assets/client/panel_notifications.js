/*
 * MOVA Live panel: the notification centre, the bell's count and the toasts (callbacks/notifications.py).
 *
 * Notifications and alerts are rare, so this panel answers with Dash components (the list's remove
 * buttons are pattern-matching Dash buttons). Read, removed and cleared marks live in a localStorage
 * store (notification-state), so they survive a reload; a new store epoch starts them afresh.
 * Toasts show only what arrived after the page loaded, never more than MAX_TOASTS at once (they must
 * not cover the page's controls): errors and critical alerts collapse into one toast that stays until
 * closed and counts them ("3"); the others go after 5 s. Esc closes the bell's dropdown and gives the
 * focus back to the bell; opening it moves the focus into it.
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
  const E = need('./describe.js');
  const B = need('./bridge.js');

  const S = { notes: [], marks: null, toasts: [], errors: 0 };
  const MAX_TOASTS = 3;
  const ERRORS_TOAST = 'toast-errors';
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
    const level = E.levelOf(e);
    const d = E.describe(e);
    const kind = e.type === 'alert' ? 'alert · ' + ((e.data && e.data.severity) || '') : 'notification';
    return div({ className: 'notif-item lvl-' + level + (entry.unread ? ' is-unread' : ''), key: String(e.seq), 'data-seq': String(e.seq) }, [
      div({ className: 'notif-icon' }, ico(E.levelIcon(level), 18)),
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

  function toast(id, e, level, count, sticky) {
    const d = E.describe(e);
    const header = [ico(E.levelIcon(level), 18), span({ className: 'toast-title' }, d.title)];
    if (count > 1) header.push(span({ className: 'toast-count', title: count + ' errors: see the bell' }, String(count)));
    const props = {
      id, header, is_open: true, dismissable: true, class_name: 'mova-toast lvl-' + level, header_class_name: 'mova-toast-header',
    };
    if (!sticky) props.duration = 5000;
    return comp('Toast', 'dash_bootstrap_components', props, d.detail ? d.detail : undefined);
  }

  /**
   * The toasts after `fresh` arrived, given the open ones (`current`): one for all errors (counted, the
   * newest shown), then the newest others, MAX_TOASTS in all. `errors` is the count so far (0 once closed).
   */
  function stack(current, fresh, errors, bootSeq) {
    const open = current.filter((t) => t && t.props && t.props.is_open !== false);
    let count = open.some((t) => t.props.id === ERRORS_TOAST) ? errors : 0;
    const added = fresh.filter((e) => e.seq > bootSeq).sort((a, b) => a.seq - b.seq);
    const sticky = added.filter(E.isSticky);
    let errorToast = open.find((t) => t.props.id === ERRORS_TOAST) || null;
    if (sticky.length) {
      count += sticky.length;
      errorToast = toast(ERRORS_TOAST, sticky[sticky.length - 1], 'error', count, true);
    }
    const others = open.filter((t) => t.props.id !== ERRORS_TOAST)
      .concat(added.filter((e) => !E.isSticky(e)).map((e) => toast('toast-' + e.seq, e, E.levelOf(e), 1, false)));
    const room = MAX_TOASTS - (errorToast ? 1 : 0);
    return { toasts: (errorToast ? [errorToast] : []).concat(others.slice(-room)), errors: count, changed: added.length > 0 };
  }

  function toasts(ctx, fresh) {
    const next = stack(S.toasts, fresh, S.errors, ctx.bootSeq);
    S.errors = next.errors;
    if (next.changed) B.setProps(ctx.ids.toasts, { children: next.toasts });
  }

  const ctxOf = () => window.mova.client.ctx;

  /** Move the focus to the dropdown's first button once it is rendered (a keyboard user lands in it). */
  function focusInside(tries) {
    const first = document.querySelector('.notif-popover button');
    if (first) first.focus({ preventScroll: true }); // before Popper places it, the dropdown sits at the page's end
    else if (tries < 20) requestAnimationFrame(() => focusInside(tries + 1));
  }

  const callbacks = {
    /** New notices (its store) or new marks (the localStorage store). */
    update(rev, marks, current) {
      const ctx = ctxOf();
      if (!ctx.cfg) return B.noUpdate();
      S.marks = marks;
      S.toasts = current || [];
      const fresh = ctx.window.take('notifications').filter(E.isNotice);
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
      const bell = () => document.getElementById(ctx.ids.notification_bell);
      const close = () => {
        B.setProps(ctx.ids.notification_popover, { is_open: false });
        B.setProps(ctx.ids.notification_bell, { 'aria-expanded': 'false' });
      };
      if (!document.body.dataset.movaBellClose) {
        // a click anywhere outside the bell and its dropdown closes the dropdown, like a menu; so does Esc
        document.body.dataset.movaBellClose = '1';
        document.addEventListener('click', (event) => {
          const inside = event.target.closest && event.target.closest('#' + ctx.ids.notification_bell + ', .notif-popover');
          if (!inside && document.querySelector('.notif-popover')) close();
        });
        document.addEventListener('keydown', (event) => {
          if (event.key !== 'Escape' || !document.querySelector('.notif-popover')) return;
          close();
          if (bell()) bell().focus();
        });
      }
      if (!clicks) return B.noUpdate();
      B.setProps(ctx.ids.notification_bell, { 'aria-expanded': String(!isOpen) });
      if (!isOpen) focusInside(0);
      return !isOpen;
    },
  };

  return {
    name: 'notifications',
    wants: E.isNotice,
    history(ctx, before) {
      return ctx.getJSON(before + '&limit=' + ctx.cfg.notifications_max * 3 + '&type=notification&type=alert').then((b) => b.events);
    },
    tick(ctx, seconds) {
      if (seconds % 10 === 5 && S.notes.length) paint(ctx); // relative times
    },
    callbacks, marksOf, view, markAllRead, clearAll, removeOne, stack, MAX_TOASTS,
  };
});
