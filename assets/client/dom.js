/*
 * MOVA Live client: painting panels straight into the DOM.
 *
 * Busy panels (feed, lists) are drawn here, inside containers Dash renders empty and never renders
 * again (components/ say which), so an event costs the few nodes that changed instead of a Dash
 * re-render of the whole list. Event text only ever goes in through textContent and attributes:
 * never parsed as HTML (DESIGN.md §6). `h(tag, props, children)` builds a node from a plain
 * description; `keyedList` reconciles a container's rows by key, rebuilding a row only when its
 * description changed.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).dom = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** A tabler icon as an <svg>, from the icon data assets/00_icons.js preloads (static, never event text). */
  function icon(name, size) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    const px = String(size || 16);
    svg.setAttribute('width', px);
    svg.setAttribute('height', px);
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'iconify');
    svg.setAttribute('aria-hidden', 'true');
    const icons = (window.IconifyPreload && window.IconifyPreload.icons) || {};
    const data = icons[name] || icons['circle-dot'];
    if (data && typeof data.body === 'string') svg.innerHTML = data.body; // build-time icon data, not event text
    return svg;
  }

  /**
   * A node from a description: `props` are className, title, style (object), dataset (object), attrs
   * (object), text; children are nodes, descriptions ({tag, props, children}), strings or null.
   */
  function h(tag, props, children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.className) node.className = p.className;
    if (p.title) node.title = p.title;
    if (p.text !== undefined && p.text !== null && p.text !== '') node.textContent = String(p.text);
    if (p.style) Object.assign(node.style, p.style);
    if (p.dataset) Object.keys(p.dataset).forEach((k) => { node.dataset[k] = String(p.dataset[k]); });
    if (p.attrs) Object.keys(p.attrs).forEach((k) => node.setAttribute(k, String(p.attrs[k])));
    (children || []).forEach((c) => {
      if (c === null || c === undefined || c === '' || c === false) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  /** Set a node's text only when it differs (a write of the same text still costs a layout). */
  function setText(node, text) {
    if (node && node.textContent !== text) node.textContent = text;
  }

  /**
   * Make `node` look like `fresh` (a node built from the new description) while staying the same
   * node: attributes, text and children are brought over one by one, so a row under the pointer, or
   * holding the focus, is never swapped for another (a click that lands between two updates counts).
   */
  function morph(node, fresh) {
    if (node.nodeType !== fresh.nodeType || node.nodeName !== fresh.nodeName) return fresh;
    if (node.nodeType === 3) {
      if (node.nodeValue !== fresh.nodeValue) node.nodeValue = fresh.nodeValue;
      return node;
    }
    if (node.nodeType !== 1) return fresh;
    Array.from(node.attributes).forEach((a) => { if (!fresh.hasAttribute(a.name)) node.removeAttribute(a.name); });
    Array.from(fresh.attributes).forEach((a) => { if (node.getAttribute(a.name) !== a.value) node.setAttribute(a.name, a.value); });
    const olds = Array.from(node.childNodes);
    const news = Array.from(fresh.childNodes);
    news.forEach((child, i) => {
      const old = olds[i];
      if (!old) node.appendChild(child);
      else if (morph(old, child) !== old) node.replaceChild(child, old);
    });
    olds.slice(news.length).forEach((old) => node.removeChild(old));
    return node;
  }

  /**
   * Make `box` show `items` in order with the fewest DOM changes. `key(item)` names a row,
   * `sig(item)` says what it shows (a row whose signature is unchanged is kept as is), `build(item)`
   * makes its node. `memo` (a Map kept by the caller) remembers rows between calls. With `inPlace`
   * a changed row is updated in place (`morph`): its node stays the same node.
   */
  function keyedList(box, items, key, sig, build, memo, inPlace) {
    if (!box) return false;
    const wanted = new Map();
    items.forEach((item) => wanted.set(key(item), item));
    memo.forEach((entry, k) => {
      if (!wanted.has(k) || entry.node.parentNode !== box) {
        if (entry.node.parentNode) entry.node.parentNode.removeChild(entry.node);
        memo.delete(k);
      }
    });
    let ref = box.firstChild;
    items.forEach((item) => {
      const k = key(item);
      const s = sig(item);
      let entry = memo.get(k);
      if (entry && entry.sig !== s && inPlace) {
        morph(entry.node, build(item));
        entry.sig = s;
      } else if (entry && entry.sig !== s) {
        const node = build(item);
        box.replaceChild(node, entry.node);
        if (ref === entry.node) ref = node;
        entry = { node, sig: s };
        memo.set(k, entry);
      } else if (!entry) {
        entry = { node: build(item), sig: s };
        memo.set(k, entry);
      }
      if (entry.node === ref) ref = ref.nextSibling;
      else box.insertBefore(entry.node, ref);
    });
    while (ref) {
      // anything else in the box (an empty state, a row of ours no longer wanted) goes
      const next = ref.nextSibling;
      box.removeChild(ref);
      ref = next;
    }
    return true;
  }

  /**
   * `items` in the order their rows have in `box` while the pointer is over it or a row in it holds
   * the focus (a row that is new goes last): a list never moves under the pointer. Otherwise as given.
   */
  function heldOrder(box, items, key, memo) {
    if (!box || typeof document === 'undefined' || !(box.matches(':hover') || box.contains(document.activeElement))) return items;
    const position = new Map();
    Array.from(box.children).forEach((node, i) => position.set(node, i));
    const at = (item) => {
      const entry = memo.get(key(item));
      return entry && position.has(entry.node) ? position.get(entry.node) : Infinity;
    };
    return items.map((item, i) => [item, i]).sort((a, b) => at(a[0]) - at(b[0]) || a[1] - b[1]).map((x) => x[0]);
  }

  /** A list's empty state (icon and text) as the only child of `box`. */
  function emptyState(box, text, iconName, extra) {
    if (!box) return;
    const current = box.firstChild;
    if (current && current.dataset && current.dataset.empty === text && !current.nextSibling) return;
    const node = h('div', { className: 'empty-state ' + (extra || 'small'), dataset: { empty: text } },
      [iconName ? icon(iconName, 22) : null, h('span', { text })]);
    box.replaceChildren(node);
  }

  /** A progress bar; `label` names it for screen readers (axe aria-progressbar-name): "Progress" if none. */
  function progressBar(fraction, state, cssToken, label) {
    const pct = Number.isFinite(fraction) ? Math.max(0, Math.min(100, fraction * 100)) : 0;
    return h('div', {
      className: 'progress-track s-' + cssToken(state || ''),
      attrs: { role: 'progressbar', 'aria-label': label || 'Progress', 'aria-valuenow': Math.round(pct), 'aria-valuemin': 0, 'aria-valuemax': 100 },
    }, [barFill(pct / 100)]);
  }

  /** A bar's fill at `fraction` of its track: moved by transform, which the compositor animates (mova.css .progress-fill). */
  function barFill(fraction) {
    return h('div', { className: 'progress-fill', style: { transform: 'scaleX(' + fraction.toFixed(3) + ')' } });
  }

  /** Call `fn(inView)` whenever `el` enters or leaves the viewport (one IntersectionObserver); returns it. */
  function watchView(el, fn) {
    const observer = new IntersectionObserver((entries) => entries.forEach((e) => fn(e.isIntersecting)));
    observer.observe(el);
    return observer;
  }

  const watches = new Map(); // element id -> {el, on, observer}

  /**
   * Whether element `id` is on screen (and the tab shown); `onShow` runs when it scrolls into view.
   * A Plotly redraw costs 10-16 ms of main thread here, so the charts and the loss curve keep their
   * points while off screen and draw them when they show. The watch follows the element the page
   * has now: Dash may draw a graph's node anew, and an observer of the old, detached node would say
   * "off screen" for ever.
   */
  function onScreen(id, onShow) {
    if (typeof IntersectionObserver === 'undefined') return true;
    const el = byId(id);
    if (!el) return false;
    let watch = watches.get(id);
    if (!watch || watch.el !== el) {
      if (watch) watch.observer.disconnect();
      const box = el.getBoundingClientRect(); // the observer answers later: start from where it is now
      watch = { el, on: box.bottom > 0 && box.top < window.innerHeight && box.width > 0, observer: null };
      const current = watch;
      current.observer = watchView(el, (inView) => {
        current.on = inView;
        if (inView) onShow();
      });
      watches.set(id, watch);
    }
    return watch.on && !document.hidden;
  }

  const byId = (id) => (typeof document !== 'undefined' ? document.getElementById(id) : null);

  /** The text of element `id` (one Dash renders empty: a Dash prop write would cost a callback pipeline). */
  function text(id, value) {
    setText(byId(id), value);
  }

  /** The class of element `id`, written only when it differs. */
  function className(id, value) {
    const node = byId(id);
    if (node && node.className !== value) node.className = value;
  }

  return { h, icon, setText, text, className, keyedList, morph, heldOrder, emptyState, progressBar, barFill, byId, onScreen, watchView };
});
