/*
 * MOVA Live client: the Dash bridge, the ONLY code that touches window.dash_clientside.
 *
 * Outward, `expose(name, fns)` puts a module's callback functions in the namespace `mova_<name>`,
 * where callbacks/*.py find them (callbacks/live.py `js(name, function)`). Inward, `setProps` writes
 * a component's props (dash_clientside.set_props) and `setChanged` writes only the props whose value
 * differs from what it last wrote there: every write re-renders its component, so a panel that
 * repeats itself costs nothing. `triggered()` names the inputs that fired the running callback.
 * Read lazily: dash-renderer adds set_props, no_update and callback_context when it starts, after
 * this file has loaded.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(root);
  else (root.mova = root.mova || {}).bridge = factory(root);
})(typeof self !== 'undefined' ? self : globalThis, function (root) { // the page's window; node's global in tests
  'use strict';

  const written = new Map(); // "id\u0000prop" -> JSON of the value last written
  const stats = { writes: 0 };

  function dc() {
    root.dash_clientside = root.dash_clientside || {};
    return root.dash_clientside;
  }

  /** Dash's "leave this output as it is" (or n of them). */
  function noUpdate(n) {
    const nu = dc().no_update;
    return n === undefined || n === 1 ? nu : Array.from({ length: n }, () => nu);
  }

  function setProps(id, props) {
    const d = dc();
    if (typeof d.set_props !== 'function') return;
    stats.writes += 1;
    d.set_props(id, props);
  }

  /** Write the props of `id` whose value changed since the last setChanged of them. */
  function setChanged(id, props) {
    const out = {};
    let any = false;
    Object.keys(props).forEach((prop) => {
      const key = id + '\u0000' + prop;
      const json = JSON.stringify(props[prop]);
      if (written.get(key) === json) return;
      written.set(key, json);
      out[prop] = props[prop];
      any = true;
    });
    if (any) setProps(id, out);
    return any;
  }

  /** The prop ids ("id.prop") that triggered the running callback. */
  function triggered() {
    const ctx = dc().callback_context;
    return ctx && ctx.triggered && ctx.triggered.length ? ctx.triggered.map((t) => t.prop_id) : [];
  }

  /** The new value of the first input that triggered the running callback. */
  function triggeredValue() {
    const ctx = dc().callback_context;
    return ctx && ctx.triggered && ctx.triggered[0] ? ctx.triggered[0].value : undefined;
  }

  /** Whether the running callback was fired by `id` (any of its props). */
  function firedBy(id) {
    return triggered().some((p) => p.indexOf(id + '.') === 0);
  }

  /** A dash_clientside.Patch (partial figure update). */
  function patch() {
    return new (dc().Patch)();
  }

  /** Callback functions of a module, as the clientside namespace `mova_<name>`. */
  function expose(name, fns) {
    dc()['mova_' + name] = Object.assign(dc()['mova_' + name] || {}, fns);
  }

  return { noUpdate, setProps, setChanged, triggered, triggeredValue, firedBy, patch, expose, stats, written };
});
