/*
 * MOVA Live panel: the metric charts (callbacks/charts.py).
 *
 * Live points go straight to Plotly (extendTraces on the graph's plot node), at most every 2 s and
 * only for charts on screen (each extendTraces redraws its chart: ~16 ms here): a new figure would be a full redraw, and a Dash prop per point would
 * re-render the Graph. extendTraces keeps the user's zoom (NOTES.md: never replace live figures).
 * History comes from GET /api/metrics when the range or the custom series changes, written as a
 * Patch of the traces' x/y with the live points kept since merged in. Pause holds points back and
 * counts them; resume draws them.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).charts = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const B = need('./bridge.js');
  const D = need('./dom.js');

  const RECENT_POINTS = 900; // live points kept per series, merged into freshly loaded history
  const S = { seen: new Map(), waiting: new Map(), paused: false, pending: [], pendingCount: 0, recent: {}, latest: {}, known: new Set(), custom: null, maxPoints: {} };

  const chartIds = (cfg) => Object.keys(cfg.charts);
  function seriesOf(cfg, id) {
    if (id === cfg.custom_chart) return S.custom ? [S.custom] : [];
    return cfg.charts[id].series;
  }
  const livePoints = (cfg) => Math.ceil(cfg.live_window_s / Math.max(0.05, cfg.collector_interval_s || 1)) + 10;

  /** {x: [[...]], y: [[...]]} per trace of chart `id` for `points` ({t, values}); null when none. */
  function extension(names, points) {
    const xs = names.map(() => []);
    const ys = names.map(() => []);
    let any = false;
    points.forEach((p) => names.forEach((n, i) => {
      if (n in p.values) {
        xs[i].push(p.t);
        ys[i].push(p.values[n]);
        any = true;
      }
    }));
    return any ? { x: xs, y: ys } : null;
  }

  function statText(cfg, id) {
    const names = seriesOf(cfg, id);
    const spec = cfg.charts[id];
    const labels = id === cfg.custom_chart ? names : spec.labels || names;
    return names.map((n, i) => (names.length > 1 ? labels[i] + ' ' : '') + F.formatValue(S.latest[n], spec.unit)).join(' · ');
  }

  function noteSeries(ctx, names) {
    const before = S.known.size;
    names.forEach((n) => S.known.add(n));
    if (S.known.size === before) return;
    const options = Array.from(S.known).sort().map((n) => ({ label: n, value: n }));
    B.setProps(ctx.ids.chart_series, { options });
    B.setProps(ctx.ids.export_series, { options });
  }

  /**
   * Whether chart `id` is on screen. Each extendTraces redraws its chart (~16 ms here), so a chart
   * scrolled out of view (or in a hidden tab) keeps its points until it shows again.
   */
  function visible(id) {
    if (!('IntersectionObserver' in window)) return true;
    if (!S.seen.has(id)) {
      const el = document.getElementById(id);
      if (!el) return false;
      S.seen.set(id, false);
      const drawWaiting = () => window.mova.client.markDirty('charts');
      new IntersectionObserver((entries) => entries.forEach((e) => {
        S.seen.set(id, e.isIntersecting);
        if (e.isIntersecting && (S.waiting.get(id) || []).length) drawWaiting();
      })).observe(el);
    }
    return S.seen.get(id) && !document.hidden;
  }

  function draw(ctx, points) {
    const plotly = window.Plotly;
    chartIds(ctx.cfg).forEach((id) => {
      const all = (S.waiting.get(id) || []).concat(points);
      if (!visible(id)) {
        S.waiting.set(id, all.slice(-livePoints(ctx.cfg)));
        return;
      }
      S.waiting.delete(id);
      const names = seriesOf(ctx.cfg, id);
      const ext = names.length && extension(names, all);
      const el = document.getElementById(id);
      const gd = el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
      if (!ext || !plotly || !gd || !gd.data || gd.data.length < names.length) return;
      plotly.extendTraces(gd, ext, names.map((_n, i) => i), S.maxPoints[id] || livePoints(ctx.cfg));
    });
  }

  function pauseLabel(ctx) {
    B.setChanged(ctx.ids.chart_pause_label, { children: S.paused ? 'Resume' + (S.pendingCount ? ' · ' + S.pendingCount + ' waiting' : '') : 'Pause' });
    B.setChanged(ctx.ids.chart_pause, { className: 'btn btn-sm pause-button ' + (S.paused ? 'btn-warning is-paused' : 'btn-outline-secondary') });
  }

  const ctxOf = () => window.mova.client.ctx;

  /** New samples: the client calls it at most once a second. */
  function take(ctx) {
    const points = [];
    ctx.window.take('charts').forEach((e) => {
      const values = F.seriesPoints(e);
      const names = Object.keys(values);
      if (!names.length) return;
      const t = F.localTime(e.time);
      names.forEach((n) => {
        S.latest[n] = values[n];
        const list = S.recent[n] || (S.recent[n] = []);
        list.push([t, values[n]]);
        if (list.length > RECENT_POINTS * 1.25) list.splice(0, list.length - RECENT_POINTS);
      });
      noteSeries(ctx, names);
      points.push({ t, values });
    });
    if (!points.length) {
      if (!S.paused && S.waiting.size) draw(ctx, []); // a chart came into view
      return;
    }
    chartIds(ctx.cfg).forEach((id) => {
      const text = statText(ctx.cfg, id);
      if (text.replace(/[—· ]/g, '')) D.text(ctx.cfg.charts[id].stat_id, text);
    });
    if (S.paused) {
      S.pending = S.pending.concat(points);
      S.pendingCount += points.reduce((sum, p) => sum + Object.keys(p.values).length, 0);
      pauseLabel(ctx);
    } else {
      draw(ctx, points);
    }
  }

  const callbacks = {
    pause(clicks) {
      const ctx = ctxOf();
      if (!clicks || !ctx.cfg) return B.noUpdate();
      S.paused = !S.paused;
      if (!S.paused) {
        draw(ctx, S.pending);
        S.pending = [];
        S.pendingCount = 0;
      }
      pauseLabel(ctx);
      return B.noUpdate();
    },
    /** Every chart's history for the range (and the custom chart's series), as Patches of x/y. */
    async history(range, series, config) {
      const cfg = config;
      const charts = chartIds(cfg);
      const ctx = ctxOf();
      let known;
      try {
        known = (await ctx.getJSON('/api/metrics/series')).series.map((s) => s.name);
      } catch (err) {
        console.warn('MOVA: loading the series list failed:', err && err.message);
        return B.noUpdate(charts.length);
      }
      noteSeries({ ids: cfg.ids }, known);
      if (!series) {
        const used = new Set(charts.flatMap((id) => cfg.charts[id].series));
        series = known.find((s) => s === 'load.1') || known.find((s) => !used.has(s)) || known[0] || null;
        if (series) B.setProps(cfg.ids.chart_series, { value: series });
      }
      S.custom = series;
      S.waiting.clear(); // the history below merges every live point kept so far
      const seconds = cfg.ranges[range] || cfg.live_window_s;
      const wanted = Array.from(new Set(charts.flatMap((id) => seriesOf(cfg, id)))).filter((s) => known.indexOf(s) >= 0);
      const bySeries = {};
      if (wanted.length) {
        try {
          const body = await ctx.getJSON('/api/metrics?since=' + seconds + '&max_points=600' + wanted.map((s) => '&series=' + encodeURIComponent(s)).join(''));
          body.series.forEach((s) => { bySeries[s.name] = s; });
        } catch (err) {
          console.warn('MOVA: loading metric history failed:', err && err.message);
          return B.noUpdate(charts.length);
        }
      }
      return charts.map((id) => {
        const patch = B.patch();
        let longest = 0;
        seriesOf(cfg, id).forEach((name, i) => {
          const s = bySeries[name] || { t: [], v: [] };
          const xs = s.t.map(F.localTime);
          const ys = s.v.slice();
          const lastT = xs.length ? xs[xs.length - 1] : '';
          (S.recent[name] || []).forEach(([t, v]) => {
            if (t > lastT) {
              xs.push(t);
              ys.push(v);
            }
          });
          longest = Math.max(longest, xs.length);
          patch.assign(['data', i, 'x'], xs);
          patch.assign(['data', i, 'y'], ys);
          if (id === cfg.custom_chart) {
            patch.assign(['data', i, 'name'], name);
            patch.assign(['data', i, 'hovertemplate'], '%{y:.4g}<extra>' + name + '</extra>');
          }
        });
        S.maxPoints[id] = range === 'live' ? livePoints(cfg) : longest + livePoints(cfg);
        // a new range is a new view: let the axes reset, then keep the user's zoom again
        patch.assign(['layout', 'uirevision'], range + ':' + (id === cfg.custom_chart ? series : ''));
        patch.assign(['layout', 'xaxis', 'autorange'], true);
        return patch.build();
      });
    },
  };

  return {
    name: 'charts',
    paint: take,
    minIntervalMs: 2000,
    wants: (e) => Object.keys(F.seriesPoints(e)).length > 0,
    boot(ctx) { ctx.window.cursor('charts', ctx.bootSeq); }, // history comes from /api/metrics
    callbacks, extension, known: S.known, state: S,
  };
});
