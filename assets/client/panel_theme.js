/*
 * MOVA Live panel: the top bar's theme toggle (callbacks/theme.py).
 *
 * assets/01_theme.js applies the theme before Dash renders (the remembered choice, or the system's
 * prefers-color-scheme) and keeps window.movaTheme; a click here switches and remembers it. The button is
 * a toggle: aria-pressed says whether the light theme is on, so its name ("Light theme") never changes.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).theme = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** aria-pressed of the toggle for a theme. */
  const pressed = (theme) => (theme === 'light' ? 'true' : 'false');

  const callbacks = {
    /** The first call (no click) reports the theme 01_theme.js applied; each click switches it. */
    toggle(clicks) {
      const theme = window.movaTheme;
      if (!theme) return 'false';
      return pressed(clicks ? theme.toggle() : theme.current());
    },
  };

  return { name: 'theme', wants: () => false, callbacks, pressed };
});
