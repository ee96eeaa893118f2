/*
 * MOVA Live panel: the metric charts (callbacks/charts.py).
 *
 * Live points go straight to Plotly (extendTraces on the graph's plot node), at most every 3 s and
 * only for charts on screen (each extendTraces redraws its chart: ~16 ms here): a new figure would be
 * a full redraw, and a Dash prop per point would re-render the Graph. extendTraces keeps the user's
 * zoom (NOTES.md: never replace live figures). Each draw adds, per trace, the kept live points newer
 * than the trace's last x (`continuation`): nothing is drawn twice or backwards whatever raced (a
 * history load, a chart scrolled back into view), and an outage gets a null point, as history does.
 * History comes from GET /api/metrics when the range or the custom series changes, written as a
 * Patch of the traces' x/y with the live points kept since after it. The traces never connect gaps
 * (components/charts.py). Pause holds points back and counts them; resume draws them.
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
  const E = need('./describe.js');
  const B = need('./bridge.js');
  const D = need('./dom.js');

  const RECENT_POINTS = 900; // live points kept per series: each draw adds those newer than the trace's last
  const GAP_STEPS = 3; // hub/gaps.py GAP_STEPS: points further apart than this many steps have a break between
  const S = {
    paused: false, pendingCount: 0, recent: {}, latest: {}, known: new Set(), custom: null, maxPoints: {},
    step: {}, gen: 0, view: null,
  };

  const chartIds = (cfg) => Object.keys(cfg.charts);
  function seriesOf(cfg, id) {
    if (id === cfg.custom_chart) return S.custom ? [S.custom] : [];
    return cfg.charts[id].series;
  }
  const livePoints = (cfg) => Math.ceil(cfg.live_window_s / Math.max(0.05, cfg.collector_interval_s || 1)) + 10;
  /** A local "YYYY-MM-DD HH:MM:SS.mmm" (F.localTime) back to epoch ms. */
  const localMs = (t) => new Date(String(t).replace(' ', 'T')).getTime();

  /**
   * The points of `recent` ([t, v], arrival order) that go after a trace ending at `lastX`/`lastY`:
   * only times after it, strictly increasing (a late or repeated point is never drawn twice or
   * backwards), with a null point halfway across every gap wider than GAP_STEPS x `stepS` (no line
   * across an outage: the rule of hub/gaps.py for history). Pure: node tests call it.
   */
  function continuation(recent, lastX, lastY, stepS) {
    const xs = [];
    const ys = [];
    let prevX = lastX === undefined || lastX === null ? '' : lastX;
    let prevY = lastY;
    (recent || []).forEach(([t, v]) => {
      if (!(t > prevX)) return;
      if (prevX && prevY !== null && prevY !== undefined) {
        const a = localMs(prevX);
        const b = localMs(t);
        if (b - a > GAP_STEPS * stepS * 1000 && b - a >= 2) {
          xs.push(F.localTime(Math.round((a + b) / 2)));
          ys.push(null);
        }
      }
      xs.push(t);
      ys.push(v);
      prevX = t;
      prevY = v;
    });
    return { x: xs, y: ys };
  }

  /**
   * The trace mode for values `ys`: 'lines', or 'lines+markers' when a value stands alone between
   * breaks (null or the trace's ends), which a line alone would not draw. Pure: node tests call it.
   */
  function modeFor(ys) {
    const gap = (i) => i < 0 || i >= ys.length || ys[i] === null || ys[i] === undefined;
    for (let i = 0; i < ys.length; i += 1) if (!gap(i) && gap(i - 1) && gap(i + 1)) return 'lines+markers';
    return 'lines';
  }

  const plotOf = (id) => {
    const el = document.getElementById(id);
    return el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
  };

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

  /** Extend every chart on screen with the live points newer than its traces' last (none twice, none backwards). */
  function draw(ctx) {
    const plotly = window.Plotly;
    if (S.paused || !plotly || !ctx.cfg) return;
    chartIds(ctx.cfg).forEach((id) => {
      if (!D.onScreen(id, () => draw(ctxOf()))) return; // it catches up on the points it missed
      const names = seriesOf(ctx.cfg, id);
      const gd = plotOf(id);
      if (!names.length || !gd || !gd.data || gd.data.length < names.length) return;
      const ext = names.map((n, i) => {
        const x = gd.data[i].x || [];
        const y = gd.data[i].y || [];
        return continuation(S.recent[n], x[x.length - 1], y[y.length - 1], S.step[n] || ctx.cfg.collector_interval_s || 1);
      });
      if (!ext.some((e) => e.x.length)) return;
      plotly.extendTraces(gd, { x: ext.map((e) => e.x), y: ext.map((e) => e.y) }, names.map((_n, i) => i), S.maxPoints[id] || livePoints(ctx.cfg));
      const modes = names.map((_n, i) => modeFor(gd.data[i].y || []));
      const changed = modes.map((m, i) => (m !== (gd.data[i].mode || 'lines') ? i : -1)).filter((i) => i >= 0);
      if (changed.length) plotly.restyle(gd, { mode: changed.map((i) => modes[i]) }, changed); // rare: an outage began or ended
    });
  }

  function pauseLabel(ctx) {
    B.setChanged(ctx.ids.chart_pause_label, { children: S.paused ? 'Resume' + (S.pendingCount ? ' · ' + S.pendingCount + ' waiting' : '') : 'Pause' });
    B.setChanged(ctx.ids.chart_pause, { className: 'btn btn-sm pause-button ' + (S.paused ? 'btn-warning is-paused' : 'btn-outline-secondary') });
  }

  const ctxOf = () => window.mova.client.ctx;

  /** New samples: the client calls it at most every 3 s. */
  function take(ctx) {
    let count = 0;
    ctx.window.take('charts').forEach((e) => {
      const values = E.seriesPoints(e);
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
      count += names.length;
    });
    if (count) {
      chartIds(ctx.cfg).forEach((id) => {
        const text = statText(ctx.cfg, id);
        if (text.replace(/[—· ]/g, '')) D.text(ctx.cfg.charts[id].stat_id, text);
      });
    }
    if (S.paused) {
      S.pendingCount += count;
      if (count) pauseLabel(ctx);
      return;
    }
    draw(ctx);
  }

  /**
   * What the charts show, for the export dialog: the range, its window and the series drawn. A range
   * the charts show averaged keeps their bucket grid: the same since and bucket width, the window
   * carried on to now in whole buckets (max_points of them), so the file has the points on the
   * screen (the live points since the range loaded, drawn raw, come averaged on that grid). A zoom
   * narrows the window (the same bucket width, from the zoom's start). Live 5 min is raw samples.
   */
  function view(cfg, nowMs) {
    if (!S.view) return null;
    let since = S.view.range === 'live' ? nowMs - cfg.live_window_s * 1000 : S.view.sinceMs;
    let until = nowMs;
    chartIds(cfg).forEach((id) => {
      const gd = typeof document !== 'undefined' && plotOf(id);
      const axis = gd && gd.layout && gd.layout.xaxis;
      if (axis && axis.autorange === false && Array.isArray(axis.range)) {
        since = localMs(axis.range[0]);
        until = localMs(axis.range[1]); // the first zoomed chart is the window on screen
      }
    });
    const series = [];
    chartIds(cfg).forEach((id) => {
      const gd = typeof document !== 'undefined' && plotOf(id);
      seriesOf(cfg, id).forEach((name, i) => {
        const trace = gd && gd.data && gd.data[i];
        if (S.known.has(name) && (!trace || trace.visible !== 'legendonly')) series.push(name); // a legend click hides it
      });
    });
    let maxPoints = null;
    if (S.view.maxPoints) {
      maxPoints = Math.max(1, Math.ceil((until - since) / S.view.bucketMs));
      until = since + maxPoints * S.view.bucketMs;
    }
    return { range: S.view.range, sinceMs: Math.floor(since), untilMs: Math.ceil(until), series: Array.from(new Set(series)), maxPoints };
  }

  const callbacks = {
    pause(clicks) {
      const ctx = ctxOf();
      if (!clicks || !ctx.cfg) return B.noUpdate();
      S.paused = !S.paused;
      if (!S.paused) {
        S.pendingCount = 0;
        draw(ctx);
      }
      pauseLabel(ctx);
      return B.noUpdate();
    },
    /**
     * Every chart's history for the range (and the custom chart's series), as Patches of x/y: the
     * server's points (a null at every break), as many as the widest chart has pixels and at least one
     * a minute (24 h reads the minute rollups), then the live points kept since, strictly after them. A range chosen while an
     * older one loads wins: the older answer is dropped.
     */
    async history(range, series, config) {
      const cfg = config;
      const charts = chartIds(cfg);
      const ctx = ctxOf();
      const gen = (S.gen += 1);
      let known;
      try {
        known = (await ctx.getJSON('/api/metrics/series')).series.map((s) => s.name);
      } catch (err) {
        console.warn('MOVA: loading the series list failed:', err && err.message);
        return B.noUpdate(charts.length);
      }
      if (gen !== S.gen) return B.noUpdate(charts.length);
      noteSeries({ ids: cfg.ids }, known);
      if (!series) {
        const used = new Set(charts.flatMap((id) => cfg.charts[id].series));
        series = known.find((s) => s === 'load.1') || known.find((s) => !used.has(s)) || known[0] || null;
        if (series) B.setProps(cfg.ids.chart_series, { value: series });
      }
      const seconds = cfg.ranges[range] || cfg.live_window_s;
      const widest = Math.max(0, ...charts.map((id) => (plotOf(id) || {}).clientWidth || 0)) || 600;
      // a point per pixel of the widest chart, and never coarser than the minute rollups (24 h: 1,440)
      const maxPoints = Math.max(300, Math.min(4000, Math.max(Math.round(widest), Math.ceil(seconds / 60))));
      const wanted = Array.from(new Set(charts.flatMap((id) => (id === cfg.custom_chart ? (series ? [series] : []) : cfg.charts[id].series))))
        .filter((s) => known.indexOf(s) >= 0);
      const bySeries = {};
      // absolute times, kept: the export asks for the same window on the same bucket grid (buckets start at since)
      const untilMs = Math.round(ctx.serverNow());
      const sinceMs = untilMs - seconds * 1000;
      const window = '?since=' + new Date(sinceMs).toISOString() + '&until=' + new Date(untilMs).toISOString();
      if (wanted.length) {
        try {
          const body = await ctx.getJSON('/api/metrics' + window + '&max_points=' + maxPoints + wanted.map((s) => '&series=' + encodeURIComponent(s)).join(''));
          body.series.forEach((s) => { bySeries[s.name] = s; });
        } catch (err) {
          console.warn('MOVA: loading metric history failed:', err && err.message);
          return B.noUpdate(charts.length);
        }
      }
      if (gen !== S.gen) return B.noUpdate(charts.length);
      S.custom = series;
      // Dash applies the patches after this returns: live points drawn in between are overwritten, so
      // draw again once it has (a draw adds only what a trace lacks)
      [300, 1500].forEach((ms) => setTimeout(() => draw(ctx), ms));
      S.view = { range, sinceMs, bucketMs: (untilMs - sinceMs) / maxPoints, maxPoints: range === 'live' ? null : maxPoints };
      return charts.map((id) => {
        const patch = B.patch();
        let longest = 0;
        seriesOf(cfg, id).forEach((name, i) => {
          const s = bySeries[name] || { t: [], v: [] };
          if (s.step_s) S.step[name] = Math.max(s.step_s, cfg.collector_interval_s || 0);
          const xs = s.t.map(F.localTime);
          const ys = s.v.slice();
          const tail = continuation(S.recent[name], xs[xs.length - 1], ys[ys.length - 1], S.step[name] || cfg.collector_interval_s || 1);
          xs.push(...tail.x);
          ys.push(...tail.y);
          longest = Math.max(longest, xs.length);
          patch.assign(['data', i, 'x'], xs);
          patch.assign(['data', i, 'y'], ys);
          patch.assign(['data', i, 'mode'], modeFor(ys));
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
    // a redraw costs 9-13 ms a chart whatever it adds; at 3 s the Live 5m line still moves ~4 px a draw
    minIntervalMs: 3000,
    wants: (e) => Object.keys(E.seriesPoints(e)).length > 0,
    boot(ctx) { ctx.window.cursor('charts', ctx.bootSeq); }, // history comes from /api/metrics
    callbacks, continuation, modeFor, view, known: S.known, state: S,
  };
});
