/*
 * MOVA Live panel: training jobs, latest models, predictions, and the selected job's loss curve
 * (callbacks/ml.py).
 *
 * The lists are DOM rows in containers Dash renders empty (components/panels.py), drawn from the live
 * state (live_state.js, seeded by the server's snapshot; a running job quiet past the server's
 * --stalled-after-s shows as stalled and is not counted as running). Rows are keyed by job and updated
 * in place (the same DOM node for the job's life), in an order that only a job starting or finishing
 * changes (running first, newest run first), held while the pointer is over the list: a click or a
 * key press always lands on the row it aimed at. The selection (a click, Enter or Space on a row; the
 * first job until then) stays until that job leaves the list, and the loss chart always shows the
 * selected job: its ml.<job>.loss history from REST once (a new figure; the server breaks the line
 * between runs), then the live points appended with Plotly.extendTraces (a new run starts after a
 * null point), never another job's answer arriving late.
 */
(function (root, factory) {
  if (typeof module !== 'undefined' && module.exports) module.exports = factory(require);
  else {
    const m = (root.mova = root.mova || {});
    (m.panels = m.panels || {}).ml = factory((p) => m[p.slice(2, -3).replace(/_(.)/g, (x, c) => c.toUpperCase())]);
  }
})(typeof self !== 'undefined' ? self : this, function (need) {
  'use strict';
  const F = need('./format.js');
  const D = need('./dom.js');
  const B = need('./bridge.js');
  const Live = need('./live_state.js');

  const LOSS_POINTS = 600; // live loss points kept per job
  const TYPES = new Set(['ml.training.progress', 'ml.model.update', 'ml.prediction.result']);
  const S = { selected: null, loss: {}, runs: {}, history: {}, loading: {}, lossKey: null, jobs: new Map(), models: new Map(), preds: new Map() };
  const RANK = { running: 0, stalled: 1 }; // then every finished state

  function remaining(etaS, updated, now) {
    return Number.isFinite(etaS) ? Math.max(0, etaS - Math.max(0, (now - F.toMs(updated)) / 1000)) : null;
  }

  /** What a job row shows: {key, state, progress, head, meta} (pure: node tests call it). */
  function jobView(job, now) {
    const meta = [];
    if (Number.isFinite(job.epoch)) meta.push('epoch ' + job.epoch + (Number.isFinite(job.epochs) ? '/' + job.epochs : ''));
    if (Number.isFinite(job.loss)) meta.push('loss ' + F.number(job.loss));
    if (Number.isFinite(job.accuracy)) meta.push('acc ' + (job.accuracy <= 1 ? (job.accuracy * 100).toFixed(1) + '%' : F.number(job.accuracy)));
    const left = job.state === 'running' ? remaining(job.eta_s, job.updated, now) : null;
    if (left !== null) meta.push('ETA ' + F.duration(left));
    if (job.state === 'stalled') meta.push('no report for ' + F.duration(Math.max(0, (now - F.toMs(job.updated)) / 1000)));
    if (job.state !== 'running' && job.finished) meta.push(F.text(job.state, 30) + ' ' + F.relativeTime(job.finished, now));
    return { state: F.text(job.state, 30), pct: Number.isFinite(job.progress) ? Math.round(job.progress * 100) + '%' : '', meta };
  }

  function badge(state) {
    return D.h('span', { className: 'state-badge s-' + F.cssToken(state), text: state });
  }

  /** The rows' order: running, then stalled, then finished; the newest run first; then by name (never by last report). */
  function displayOrder(jobs) {
    const rank = (j) => (j.state in RANK ? RANK[j.state] : 2);
    const started = (j) => F.toMs(j.started) || 0;
    return jobs.slice().sort((a, b) => rank(a) - rank(b) || started(b) - started(a) || (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
  }

  function jobRow(job, v, selected) {
    const isSelected = job.job === selected;
    return D.h('div', {
      className: 'job-row s-' + F.cssToken(v.state) + (isSelected ? ' is-selected' : ''), title: 'Show the loss curve',
      attrs: { tabindex: 0, role: 'button', 'aria-pressed': isSelected ? 'true' : 'false' }, // Enter or Space selects
      dataset: { job: F.text(job.job, 200), state: v.state, progress: Number.isFinite(job.progress) ? String(job.progress) : '' },
    }, [
      D.h('div', { className: 'row-head' }, [
        D.h('span', { className: 'row-name', text: F.text(job.job, 80) }),
        job.model ? D.h('span', { className: 'row-sub', text: F.text(job.model, 60) }) : null,
        D.h('span', { className: 'row-pct', text: v.pct }), badge(v.state),
      ]),
      D.progressBar(job.progress, v.state, F.cssToken, 'Progress of ' + F.text(job.job, 80)),
      D.h('div', { className: 'row-meta' }, v.meta.map((m) => D.h('span', { text: m }))),
    ]);
  }

  function modelRow(m, now) {
    return D.h('div', { className: 'mini-row', dataset: { model: F.text(m.model, 200), version: F.text(m.version, 80) } }, [
      D.h('span', { className: 'row-name', text: F.text(m.model, 60) }),
      D.h('span', { className: 'version', text: F.text(m.version, 40) }),
      m.stage ? D.h('span', { className: 'row-sub', text: F.text(m.stage, 30) }) : null,
      m.previous_version ? D.h('span', { className: 'row-sub', text: 'from ' + F.text(m.previous_version, 40) }) : null,
      D.h('span', { className: 'row-time', title: m.updated, text: F.relativeTime(m.updated, now) }),
    ]);
  }

  const ms = (v) => (Number.isFinite(v) ? (v >= 100 ? Math.round(v) : v.toFixed(1)) + ' ms' : '—');
  const stat = (label, value) => D.h('span', { className: 'stat' }, [D.h('span', { className: 'stat-label', text: label }), value]);

  function predictionRow(p) {
    return D.h('div', { className: 'mini-row pred-row', dataset: { model: F.text(p.model, 200), count: p.count } }, [
      D.h('span', { className: 'row-name', text: F.text(p.model, 60) }),
      stat('per min', String(Math.round((p.per_s || 0) * 60))), stat('p50', ms(p.p50_ms)), stat('p95', ms(p.p95_ms)),
    ]);
  }

  function lossFigure(points) {
    return {
      data: [{
        type: 'scatter', mode: 'lines+markers', x: points.map((p) => p[0]), y: points.map((p) => p[1]), line: { color: '#a371f7', width: 2 },
        marker: { color: '#a371f7', size: 3 }, // a run's lone first point shows
        hovertemplate: 'loss %{y:.4g}<extra></extra>',
        connectgaps: false, // a null point is a break between two runs (no area fill: Plotly fills across one)
      }],
      layout: {
        height: 150, margin: { l: 40, r: 8, t: 6, b: 24 }, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
        font: { color: '#8b93a7', size: 10 }, showlegend: false, hovermode: 'x',
        xaxis: { type: 'date', gridcolor: 'rgba(139,147,167,0.14)', fixedrange: true, nticks: 5, tickformat: '%H:%M:%S' },
        yaxis: { gridcolor: 'rgba(139,147,167,0.14)', zeroline: false, fixedrange: true, rangemode: 'tozero' },
      },
    };
  }

  /** The selected job; until a row is chosen, the first one, kept while it is listed (a new job on top does not take over). */
  function pick(ctx, jobs) {
    if (!(S.selected && jobs.some((j) => j.job === S.selected))) S.selected = jobs.length ? jobs[0].job : null;
    return S.selected;
  }

  async function loadLoss(ctx, job) {
    const info = ctx.live.jobs.get(job);
    const since = info && info.started ? Math.max(60, Math.ceil((ctx.serverNow() - F.toMs(info.started)) / 1000) + 60) : 86400;
    const name = 'ml.' + job + '.loss';
    let history = [];
    try {
      // only a job that has reported a loss has the series (asking for an unknown one is a 400)
      const known = (await ctx.getJSON('/api/metrics/series')).series.some((s) => s.name === name);
      const body = known ? await ctx.getJSON('/api/metrics?max_points=400&since=' + since + '&series=' + encodeURIComponent(name)) : { series: [] };
      const s = body.series[0] || { t: [], v: [] };
      history = s.t.map((t, i) => [F.localTime(t), s.v[i]]);
    } catch (err) {
      // no history: the live points fill the curve
    }
    S.history[job] = history;
    delete S.loading[job];
    paintLoss(ctx, S.selected); // the job selected now: another may have been chosen while this loaded
  }

  /** The loss graph's plot node when it shows `count` points of `job` already (else null: draw it anew). */
  function plotOf(ctx, job, count) {
    const el = D.byId(ctx.ids.ml_loss);
    const gd = el && (el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot'));
    const shown = gd && gd.data && gd.data[0] && gd.data[0].x ? gd.data[0].x.length : -1;
    return S.lossJob === job && shown === count && window.Plotly ? gd : null;
  }

  function paintLoss(ctx, job) {
    if (!job) {
      if (S.lossKey !== '') B.setProps(ctx.ids.ml_loss, { figure: lossFigure([]) });
      D.text(ctx.ids.ml_loss_title, 'Loss: no job selected');
      S.lossKey = '';
      return;
    }
    if (!(job in S.history)) {
      if (!S.loading[job]) S.loading[job] = loadLoss(ctx, job);
      return;
    }
    const history = S.history[job];
    const lastT = history.length ? history[history.length - 1][0] : '';
    const points = history.concat((S.loss[job] || []).filter((p) => p[0] > lastT));
    const key = job + ':' + points.length + ':' + (points.length ? points[points.length - 1][0] : '');
    if (key === S.lossKey) return;
    // a redraw off screen is wasted (D.onScreen): the curve catches up when it scrolls into view
    if (S.lossJob === job && !D.onScreen(ctx.ids.ml_loss, () => paintLoss(ctx, S.selected))) return;
    S.lossKey = key;
    const gd = plotOf(ctx, job, S.lossCount);
    const added = points.slice(S.lossCount);
    if (gd && added.length && points.length > S.lossCount) {
      window.Plotly.extendTraces(gd, { x: [added.map((p) => p[0])], y: [added.map((p) => p[1])] }, [0]);
    } else {
      B.setProps(ctx.ids.ml_loss, { figure: lossFigure(points) }); // another job, or its history just loaded
    }
    S.lossJob = job;
    S.lossCount = points.length;
    D.text(ctx.ids.ml_loss_title, 'Loss · ' + F.text(job, 80));
  }

  function paint(ctx) {
    const now = ctx.serverNow();
    const snap = Live.snapshot(ctx.live, now, ctx.cfg.stalled_after_s);
    const jobsBox = D.byId(ctx.ids.ml_jobs);
    const jobs = D.heldOrder(jobsBox, displayOrder(snap.jobs).slice(0, 30), (j) => j.job, S.jobs);
    const selected = pick(ctx, jobs);
    if (jobs.length) {
      const views = new Map(jobs.map((j) => [j.job, jobView(j, now)]));
      const active = document.activeElement;
      const focused = jobsBox && active && jobsBox.contains(active) && active.dataset ? active.dataset.job : null;
      D.keyedList(jobsBox, jobs, (j) => j.job, (j) => JSON.stringify([views.get(j.job), j.progress, j.model, j.job === selected]),
        (j) => jobRow(j, views.get(j.job), selected), S.jobs, true);
      if (focused && S.jobs.has(focused) && document.activeElement !== S.jobs.get(focused).node) S.jobs.get(focused).node.focus(); // a rebuilt row keeps the keyboard's place
    } else D.emptyState(jobsBox, 'No training jobs yet', 'brain');
    const models = snap.models.slice(0, 8);
    if (models.length) {
      D.keyedList(D.byId(ctx.ids.ml_models), models, (m) => m.model,
        (m) => JSON.stringify([m.version, m.stage, m.previous_version, F.relativeTime(m.updated, now)]), (m) => modelRow(m, now), S.models);
    } else D.emptyState(D.byId(ctx.ids.ml_models), 'No model versions yet');
    const preds = snap.predictions.filter((p) => p.count > 0);
    if (preds.length) D.keyedList(D.byId(ctx.ids.ml_predictions), preds, (p) => p.model, (p) => JSON.stringify(p), predictionRow, S.preds);
    else D.emptyState(D.byId(ctx.ids.ml_predictions), 'No predictions in the last minute');
    const running = jobs.filter((j) => j.state === 'running').length;
    const stalled = jobs.filter((j) => j.state === 'stalled').length;
    D.text(ctx.ids.ml_jobs_count, jobs.length ? running + ' running' + (stalled ? ' · ' + stalled + ' stalled' : '') + ' · ' + jobs.length + ' jobs' : '');
    paintLoss(ctx, selected);
  }

  function attachClicks(ctx) {
    const box = D.byId(ctx.ids.ml_jobs);
    if (!box || box.dataset.movaClicks) return;
    box.dataset.movaClicks = '1';
    const choose = (row) => {
      S.selected = row.dataset.job;
      paint(ctx); // at once, in the same task: the row and the chart agree before anything else paints
      B.setProps(ctx.ids.ml_selected, { data: row.dataset.job });
    };
    box.addEventListener('click', (event) => {
      const row = event.target.closest && event.target.closest('[data-job]');
      if (row) choose(row);
    });
    box.addEventListener('keydown', (event) => {
      const row = (event.key === 'Enter' || event.key === ' ') && event.target.closest && event.target.closest('[data-job]');
      if (!row) return;
      event.preventDefault(); // Space would scroll the page
      choose(row);
    });
  }

  const ctxOf = () => window.mova.client.ctx;

  /** New ML events: the client calls it at most once a second. */
  function take(ctx) {
    attachClicks(ctx);
    ctx.syncLive();
    ctx.window.take('ml').forEach((e) => {
      const d = e.data || {};
      if (e.type !== 'ml.training.progress' || typeof d.job !== 'string') return;
      const run = S.runs[d.job];
      // a new run (the rule of hub/gaps.py and of the live state): after a finished run, or progress going back
      const fresh = run && (Live.TERMINAL_JOB.has(run.state) || (Number.isFinite(d.progress) && d.progress < run.progress));
      S.runs[d.job] = { state: d.state, progress: Number.isFinite(d.progress) ? d.progress : (run && !fresh ? run.progress : 0), fresh: fresh || (run && run.fresh) };
      if (!Number.isFinite(d.loss)) return;
      const list = S.loss[d.job] || (S.loss[d.job] = []);
      const t = F.localTime(e.time);
      const last = list[list.length - 1];
      if (last && !(t > last[0])) return; // late or repeated: never drawn backwards
      if (last && S.runs[d.job].fresh) {
        // a null point halfway: the new run's curve is not joined to the last one's
        list.push([F.localTime(Math.round((F.toMs(e.time) + F.toMs(last[0].replace(' ', 'T'))) / 2)), null]);
      }
      S.runs[d.job].fresh = false;
      list.push([t, d.loss]);
      if (list.length > LOSS_POINTS) list.splice(0, list.length - LOSS_POINTS);
    });
    paint(ctx);
  }

  const callbacks = {
    /** A job selected (a click on its row writes the ml-selected store). */
    select(selected) {
      const ctx = ctxOf();
      if (!ctx.cfg || !selected) return B.noUpdate();
      S.selected = selected;
      paint(ctx);
      return B.noUpdate();
    },
  };

  return {
    name: 'ml',
    paint: take,
    minIntervalMs: 1000,
    wants: (e) => TYPES.has(e.type),
    history(ctx, before) {
      // the last minute of predictions, for p50/p95 (the snapshot has only its summary)
      return ctx.getJSON(before + '&limit=1000&type=ml.prediction.result').then((b) => {
        const horizon = ctx.serverNow() - 60000;
        Live.apply(ctx.live, b.events.filter((e) => F.toMs(e.time) >= horizon && e.seq <= ctx.live.last_seq), true);
        return [];
      });
    },
    boot(ctx) { ctx.window.cursor('ml', ctx.bootSeq); },
    tick(ctx, seconds) { if (seconds % 2 === 0 && ctx.live.jobs.size) paint(ctx); }, // ETAs, "completed 5m ago"
    callbacks, jobView, lossFigure, displayOrder,
  };
});
