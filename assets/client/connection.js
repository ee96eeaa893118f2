/*
 * MOVA Live client: the connection, an explicit state machine (after centrifuge-js).
 *
 *   state          what holds                                   badge
 *   disconnected   not started yet (the boot loads REST first)  Connecting
 *   connecting     the socket's url is set, no hello yet         Connecting (first time) / Reconnecting
 *                  (no hello within helloTimeoutS: failed)
 *   connected      the hello arrived: frames flow; a ping each   Live
 *                  heartbeat (no answer within pongTimeoutS, or
 *                  nothing for two heartbeats: failed)
 *   polling        the socket is down: REST polls deliver,       Polling (polls answer) / Offline (they fail)
 *                  a retry is scheduled with backoff
 *   closed         the page is reloading (a reset): nothing more Offline
 *
 * Every change goes through `to(state, reason)`, which refuses a move the TRANSITIONS table does not
 * allow and reports (state, reason) to `onChange`. Reconnects wait 1 s doubling to 30 s, with full
 * jitter (a random delay up to that cap, so a hundred pages that lost the same server do not all come
 * back in the same second); after `maxTries` every try waits up to 30 s. A socket that opens and then
 * says nothing (a proxy that accepts the upgrade and passes no frame) fails like a refused one: no
 * hello within `helloTimeoutS` of the open, or no pong within `pongTimeoutS` of a ping, and the page
 * polls while it retries with backoff, instead of showing "Connecting" for ever. The machine decides; the
 * effects (set the socket's url, send a ping, start or stop the poll, timers) are functions the client
 * passes in, so node tests drive it with fakes and a fake clock.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory();
  else (root.mova = root.mova || {}).connection = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  const TRANSITIONS = {
    disconnected: ['connecting', 'closed'],
    connecting: ['connected', 'polling', 'closed'],
    connected: ['polling', 'closed'],
    polling: ['connecting', 'closed'],
    closed: [],
  };

  // why a state changed, as the badge's details and the console name it
  const REASONS = {
    boot: 'the initial state loaded', hello: 'the server said hello', closed: 'transport closed',
    silent: 'nothing received for two heartbeats, or no pong to a ping', timeout: 'no hello after the socket opened', retry: 'backoff elapsed', answered: 'the REST poll answers again',
    reset: 'the server reset the stream',
  };

  const BADGE = {
    connecting: { label: 'Connecting', icon: 'loader-2' },
    live: { label: 'Live', icon: 'broadcast' },
    reconnecting: { label: 'Reconnecting', icon: 'refresh' },
    polling: { label: 'Polling', icon: 'arrows-exchange' },
    offline: { label: 'Offline', icon: 'cloud-off' },
  };

  /** Milliseconds before reconnect attempt `attempt` (1-based): full jitter under 1 s doubling to 30 s. */
  function backoffDelay(attempt, opts, rand) {
    const o = Object.assign({ baseMs: 1000, maxMs: 30000, maxTries: 10, floorMs: 250 }, opts || {});
    const n = Math.max(1, Math.floor(attempt));
    const cap = n > o.maxTries ? o.maxMs : Math.min(o.maxMs, o.baseMs * Math.pow(2, n - 1));
    const r = typeof rand === 'function' ? rand() : Math.random();
    return Math.round(Math.max(o.floorMs, r * cap));
  }

  /**
   * A connection. `fx`: {open(count), ping(id), poll(on), later(fn, ms) -> handle, cancel(handle), onChange(state, reason)}.
   * `opts`: {maxTries, heartbeatS, helloTimeoutS, pongTimeoutS, now(), rand()}.
   */
  function create(fx, opts) {
    const o = Object.assign({ maxTries: 10, heartbeatS: 30, helloTimeoutS: 10, pongTimeoutS: 10, now: () => Date.now(), rand: Math.random }, opts || {});
    const c = {
      state: 'disconnected', reason: null, attempt: 0, failed: 0, lost: false, everLive: false, connects: 0,
      pollOk: null, nextTryAt: null, retry: null, heartbeatS: o.heartbeatS, lastMessageAt: null, lastPingAt: 0, pings: 0,
      openedAt: null, timeouts: 0,
    };

    function to(state, reason) {
      if (TRANSITIONS[c.state].indexOf(state) < 0) throw new Error('connection: ' + c.state + ' -> ' + state + ' is not allowed');
      const from = c.state;
      c.state = state;
      c.reason = reason;
      if (from === 'polling' && state !== 'polling' && state !== 'connecting') fx.poll(false);
      if (state === 'connected' || state === 'closed') {
        fx.poll(false);
        c.pollOk = null;
      }
      fx.onChange(state, reason);
    }

    function open(reason) {
      if (c.retry !== null) fx.cancel(c.retry);
      c.retry = null;
      c.nextTryAt = null;
      c.connects += 1;
      c.openedAt = o.now();
      to('connecting', reason);
      fx.open(c.connects); // a new url: the component opens a new socket with after=<last seq>
    }

    function scheduleRetry(ms) {
      c.attempt += 1;
      const delay = ms === undefined ? backoffDelay(c.attempt, { maxTries: o.maxTries }, o.rand) : ms;
      c.nextTryAt = o.now() + delay;
      if (c.retry !== null) fx.cancel(c.retry);
      c.retry = fx.later(() => {
        c.retry = null;
        if (c.state === 'polling') open('retry');
      }, delay);
    }

    /** The socket is down (closed, refused, or silent): poll REST meanwhile and retry later. */
    function down(reason, retryNowMs) {
      if (c.state !== 'connecting' && c.state !== 'connected') return;
      const wasLive = c.state === 'connected';
      if (wasLive) {
        c.lost = true;
        c.attempt = 0;
        c.failed = 0;
      } else {
        c.failed += 1;
      }
      to('polling', reason);
      fx.poll(true);
      scheduleRetry(retryNowMs);
    }

    return {
      get state() { return c.state; },
      info: c,
      start() {
        if (c.state !== 'disconnected') return;
        c.pollOk = null; // the boot's REST load answered
        open('boot');
      },
      /** Any frame from the server: the socket is alive. */
      received() { c.lastMessageAt = o.now(); },
      hello(heartbeatS) {
        c.lastMessageAt = o.now();
        if (heartbeatS) c.heartbeatS = heartbeatS;
        if (c.state !== 'connecting') return;
        c.everLive = true;
        c.lost = false;
        c.attempt = 0;
        c.failed = 0;
        c.nextTryAt = null;
        c.lastPingAt = c.lastMessageAt; // no ping awaits its pong on a new socket
        to('connected', 'hello');
      },
      socketClosed() { down('closed'); },
      /** A poll's outcome: a server that answers again gets the socket tried at once. */
      polled(ok) {
        const wasDown = c.pollOk === false;
        if (c.state !== 'polling' && c.state !== 'connecting') return;
        c.pollOk = ok;
        if (ok && wasDown && c.state === 'polling') open('answered');
      },
      bootFailed() {
        c.pollOk = false;
        c.failed += 1;
        c.attempt = Math.max(c.attempt, 1);
      },
      /**
       * Every second: give up on a socket that never said hello, ping each heartbeat, and give up on one
       * that left a ping unanswered or was silent for two heartbeats.
       */
      tick() {
        const now = o.now();
        if (c.state === 'connecting' && c.openedAt !== null && now - c.openedAt > o.helloTimeoutS * 1000) {
          c.timeouts += 1;
          down('timeout'); // with backoff: a proxy that always swallows the socket is retried ever more slowly
          return;
        }
        if (c.state !== 'connected') return;
        const beat = c.heartbeatS * 1000;
        const unanswered = c.pings > 0 && c.lastPingAt > c.lastMessageAt && now - c.lastPingAt > o.pongTimeoutS * 1000;
        if (unanswered || (c.lastMessageAt !== null && now - c.lastMessageAt > 2 * beat)) {
          c.timeouts += 1;
          down('silent', 0);
          return;
        }
        if (now - c.lastPingAt >= beat) {
          c.lastPingAt = now;
          c.pings += 1;
          fx.ping(c.pings);
        }
      },
      close(reason) { if (c.state !== 'closed') to('closed', reason || 'reset'); },
    };
  }

  /** connecting | live | reconnecting | polling | offline: what the badge says for a connection's info. */
  function badgeState(info) {
    if (!info || info.state === 'disconnected') return info && info.pollOk === false ? 'offline' : 'connecting';
    if (info.state === 'connected') return 'live';
    if (info.state === 'closed') return 'offline';
    if (info.pollOk === true) return 'polling';
    if (!info.attempt && !info.lost) return 'connecting';
    if (info.pollOk === false && info.failed > 0) return 'offline';
    return 'reconnecting';
  }

  /** Whether the server cannot be reached: no live socket and the REST polls (or the boot) fail. */
  function unreachable(info) {
    return !!info && info.state !== 'connected' && info.state !== 'closed' && info.pollOk === false;
  }

  /** Label, icon and the short detail ("attempt 2/10 · next try in 3 s") of the badge. */
  function badgeView(info, maxTries, nowMs) {
    const state = badgeState(info);
    let detail = '';
    if ((state === 'reconnecting' || state === 'offline' || state === 'polling') && info && info.attempt > 0) {
      const max = maxTries || 10;
      const wait = info.nextTryAt ? Math.max(0, Math.ceil((info.nextTryAt - nowMs) / 1000)) : null;
      detail = 'attempt ' + Math.min(info.attempt, max) + '/' + max + (info.attempt > max ? '+' : '');
      if (wait !== null) detail += ' · next try in ' + wait + ' s';
    }
    return Object.assign({ state, detail }, BADGE[state]);
  }

  /** The socket's url: resume after the last seq, on the same store (epoch), a new url each time. */
  function socketUrl(base, lastSeq, epoch, count, frameMs) {
    const pace = Number.isFinite(frameMs) ? '&frame_ms=' + frameMs : '';
    return base + '?after=' + (lastSeq || 0) + (epoch ? '&epoch=' + encodeURIComponent(epoch) : '') + pace + '&c=' + count;
  }

  return { TRANSITIONS, REASONS, create, backoffDelay, badgeState, badgeView, unreachable, socketUrl };
});
