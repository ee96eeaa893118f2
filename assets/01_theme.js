// MOVA Live's colour theme, applied before Dash renders anything: the choice remembered by the top bar's toggle
// (localStorage "mova-theme": "light" or "dark"), or else the system's prefers-color-scheme, followed live while
// no choice is stored. Bootstrap's colour modes and assets/theme.css read data-bs-theme on <html>.
// assets/client/panel_theme.js drives the toggle through window.movaTheme.
(function () {
  'use strict';
  var KEY = 'mova-theme';
  var media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: light)') : null;

  function stored() {
    try {
      var v = window.localStorage.getItem(KEY);
      return v === 'light' || v === 'dark' ? v : null;
    } catch (err) {
      return null; // storage refused (private mode, policy): follow the system
    }
  }
  function current() {
    return stored() || (media && media.matches ? 'light' : 'dark');
  }
  function apply(theme) {
    document.documentElement.setAttribute('data-bs-theme', theme);
  }
  function set(theme) {
    try {
      window.localStorage.setItem(KEY, theme);
    } catch (err) {
      // not remembered, still applied
    }
    apply(theme);
    return theme;
  }

  apply(current());
  if (media && media.addEventListener) {
    media.addEventListener('change', function () {
      if (!stored()) apply(current());
    });
  }
  window.movaTheme = {
    current: current,
    set: set,
    toggle: function () {
      return set(current() === 'light' ? 'dark' : 'light');
    },
  };
})();
