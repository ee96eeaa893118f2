// A browser for the client's node tests: a jsdom document, and the two browser APIs jsdom lacks or the
// page's Dash provides (IntersectionObserver; dash_clientside as dash-renderer sets it up). The client's
// modules read window, document and these globals when called, not when loaded, so a test calls
// `browser(html)` first and may call it again for a fresh document.
'use strict';
const { JSDOM } = require('jsdom');

/** Every IntersectionObserver made since the last browser(): tests fire them as the viewport would. */
const observers = [];

/** IntersectionObserver as the browser has it, minus the geometry: the test says when a target crosses. */
class FakeIntersectionObserver {
  constructor(callback) {
    this.callback = callback;
    this.targets = [];
    this.disconnected = false;
    observers.push(this);
  }

  observe(el) { this.targets.push(el); }

  unobserve(el) { this.targets = this.targets.filter((t) => t !== el); }

  disconnect() {
    this.disconnected = true;
    this.targets = [];
  }

  /** What the browser does when the targets enter (true) or leave (false) the viewport. */
  fire(isIntersecting) {
    if (this.targets.length) this.callback(this.targets.map((target) => ({ target, isIntersecting })), this);
  }
}

/** A fresh jsdom page holding `html` in its body, installed as the globals the client reads; `opts` for JSDOM. */
function browser(html, opts) {
  // pretendToBeVisual: a shown tab (document.hidden false) with requestAnimationFrame, as a user's page
  const dom = new JSDOM('<!doctype html><html><body>' + (html || '') + '</body></html>', Object.assign({ pretendToBeVisual: true }, opts));
  const win = dom.window;
  observers.length = 0;
  win.IntersectionObserver = FakeIntersectionObserver;
  Object.assign(globalThis, {
    window: win, document: win.document, HTMLElement: win.HTMLElement, Node: win.Node, IntersectionObserver: FakeIntersectionObserver,
  });
  return win;
}

/** Make the tab hidden (or shown again), as switching tabs does: jsdom's document.hidden is fixed. */
function setHidden(hidden) {
  Object.defineProperty(globalThis.document, 'hidden', { configurable: true, get: () => hidden });
}

const NO_UPDATE = { no_update: true }; // dash_clientside.no_update is a marker object: compared by identity

/**
 * dash_clientside as dash-renderer installs it once it starts: set_props recorded in `writes`
 * ([id, props] per call), `context.triggered` for callback_context. The bridge's memory of what it last
 * wrote is cleared: a new page.
 */
function dash(bridge) {
  const writes = [];
  const context = { triggered: [] };
  class Patch {
    constructor() { this.operations = []; }
  }
  globalThis.dash_clientside = {
    set_props: (id, props) => writes.push([id, props]), no_update: NO_UPDATE, callback_context: context, Patch,
  };
  if (bridge) bridge.written.clear();
  return { writes, context, NO_UPDATE, Patch };
}

module.exports = { browser, setHidden, dash, observers, FakeIntersectionObserver, NO_UPDATE };
