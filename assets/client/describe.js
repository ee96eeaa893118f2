/*
 * MOVA Live client: what an event says (pure; no DOM, no Dash).
 *
 * An event's one-line title and optional detail, built from its data as plain text (painting puts it
 * in with textContent, never as HTML: DESIGN.md §6); its category and the category's icon; the level
 * of a notification or alert (success, error, warning, info), its icon and whether it stays until
 * dismissed; who it came from; and the numeric samples it carries for the charts (DESIGN.md §2).
 * The feed, the notifications and the charts all read events through here, so an event type reads
 * the same everywhere.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    m.describe = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const { text, number, percent, bytes } = F;

  const CATEGORY_ICONS = {
    system: 'server', ml: 'brain', file: 'file', user: 'user', notification: 'bell',
    alert: 'alert-triangle', plugin: 'puzzle', analytics: 'chart-bar', metrics: 'gauge',
  };
  const LEVEL_ICONS = { success: 'circle-check', error: 'circle-x', warning: 'alert-triangle', info: 'info-circle' };
  const SERIES_TYPES = ['system.metrics', 'metrics.update', 'analytics.update'];

  // -- category and level ----------------------------------------------------------------

  /** The first segment of the type: "ml.training.progress" is "ml". */
  function categoryOf(type) {
    return String(type || 'other').split('.')[0] || 'other';
  }

  function categoryIcon(category) {
    return CATEGORY_ICONS[category] || 'circle-dot';
  }

  function isNotice(event) {
    return event && (event.type === 'notification' || event.type === 'alert');
  }

  /** success | error | warning | info for notifications and alerts (critical alerts count as errors). */
  function levelOf(event) {
    const data = (event && event.data) || {};
    if (event && event.type === 'alert') {
      if (data.resolved === true) return 'success';
      return { critical: 'error', warning: 'warning', info: 'info' }[data.severity] || 'warning';
    }
    return LEVEL_ICONS[data.level] ? data.level : 'info';
  }

  function levelIcon(level) {
    return LEVEL_ICONS[level] || 'info-circle';
  }

  /** Errors and critical alerts stay until dismissed; the others hide themselves. */
  function isSticky(event) {
    return levelOf(event) === 'error';
  }

  // -- title and detail ------------------------------------------------------------------

  function seriesSummary(data) {
    const keys = Object.keys(data || {});
    const shown = keys.slice(0, 3).map((k) => k + ' ' + number(data[k])).join(', ');
    return keys.length > 3 ? shown + ' +' + (keys.length - 3) + ' more' : shown;
  }

  /** {title, detail}: one line built from the event's data, and an optional second line. */
  function describe(event) {
    const d = (event && event.data) || {};
    const type = (event && event.type) || '';
    switch (type) {
      case 'system.status':
        return { title: 'System ' + text(d.state), detail: text(d.message) };
      case 'system.health': {
        const checks = d.checks || {};
        const counts = { ok: 0, warn: 0, fail: 0 };
        Object.keys(checks).forEach((k) => { counts[checks[k]] = (counts[checks[k]] || 0) + 1; });
        return {
          title: 'Health checks: ' + counts.ok + ' ok, ' + counts.warn + ' warn, ' + counts.fail + ' fail',
          detail: text(d.message),
        };
      }
      case 'system.metrics':
      case 'metrics.update':
      case 'analytics.update':
        return { title: Object.keys(d).length + ' series updated', detail: seriesSummary(d) };
      case 'ml.model.update':
        return {
          title: 'Model ' + text(d.model) + ' → ' + text(d.version) + (d.stage ? ' (' + text(d.stage) + ')' : ''),
          detail: d.metrics ? seriesSummary(d.metrics) : '',
        };
      case 'ml.training.progress': {
        const parts = [text(d.job) + ': ' + text(d.state)];
        if (Number.isFinite(d.epoch)) parts.push('epoch ' + d.epoch + (Number.isFinite(d.epochs) ? '/' + d.epochs : ''));
        parts.push(percent(d.progress));
        const detail = [];
        if (Number.isFinite(d.loss)) detail.push('loss ' + number(d.loss));
        if (Number.isFinite(d.accuracy)) detail.push('accuracy ' + number(d.accuracy));
        if (Number.isFinite(d.eta_s)) detail.push('ETA ' + Math.round(d.eta_s) + 's');
        return { title: parts.filter(Boolean).join(' · '), detail: detail.join(' · ') };
      }
      case 'ml.prediction.result':
        return {
          title: text(d.model) + (d.label !== undefined ? ' predicted ' + text(d.label) : ' prediction') +
            (Number.isFinite(d.confidence) ? ' (' + percent(d.confidence) + ')' : ''),
          detail: Number.isFinite(d.latency_ms) ? number(d.latency_ms) + ' ms' : '',
        };
      case 'file.operation':
        return {
          title: text(d.op) + ' ' + text(d.path) + (d.status === 'failed' ? ' failed' : ''),
          detail: Number.isFinite(d.size) ? bytes(d.size) : '',
        };
      case 'file.upload.progress':
      case 'file.download.progress': {
        const verb = type === 'file.upload.progress' ? 'Upload' : 'Download';
        const frac = d.total > 0 ? d.bytes / d.total : null;
        return {
          title: verb + ' ' + text(d.name) + ' ' + (d.state === 'running' ? percent(frac) : text(d.state)),
          detail: bytes(d.bytes) + ' of ' + bytes(d.total),
        };
      }
      case 'user.activity':
        return { title: text(d.user) + ' ' + text(d.action) + (d.target ? ' ' + text(d.target) : ''), detail: '' };
      case 'user.presence':
        return { title: text(d.user) + ' is ' + text(d.state), detail: '' };
      case 'notification':
        return { title: text(d.title), detail: text(d.message, 400) };
      case 'alert':
        return {
          title: (d.resolved ? 'Resolved: ' : '') + text(d.title),
          detail: text(d.message, 400),
        };
      case 'plugin.update':
        return { title: text(d.plugin) + ' updated to ' + text(d.version), detail: text(d.message) };
      case 'plugin.status':
        return { title: text(d.plugin) + ' is ' + text(d.state), detail: text(d.message) };
      default: {
        const title = d.title || d.message || d.name || d.action || type;
        const rest = Object.keys(d).filter((k) => d[k] !== title).slice(0, 3)
          .map((k) => k + ' ' + text(d[k], 40)).join(', ');
        return { title: text(title), detail: rest };
      }
    }
  }

  /** Who or what the event came from: data.user when present, else the envelope's source. */
  function actorOf(event) {
    const d = (event && event.data) || {};
    return text(typeof d.user === 'string' ? d.user : event && event.source, 80);
  }

  // -- series ---------------------------------------------------------------------------

  /** The numeric samples an event carries, as {series name: value} (DESIGN.md §2). */
  function seriesPoints(event) {
    const out = {};
    if (!event || !event.data) return out;
    const d = event.data;
    if (SERIES_TYPES.indexOf(event.type) >= 0) {
      Object.keys(d).forEach((k) => { if (Number.isFinite(d[k])) out[k] = d[k]; });
    } else if (event.type === 'ml.training.progress' && d.job) {
      ['loss', 'accuracy', 'progress'].forEach((k) => {
        if (Number.isFinite(d[k])) out['ml.' + d.job + '.' + k] = d[k];
      });
    }
    return out;
  }

  return { categoryOf, categoryIcon, isNotice, levelOf, levelIcon, isSticky, describe, actorOf, seriesPoints };
});
