// The insights dashboard: one GET /api/insights, drawn with Chart.js; CSV from /api/insights.csv.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const pct = (p) => `${(p * 100).toFixed(1)}%`;
  const ci = (p) => (p.trials ? `${pct(p.rate)} (${pct(p.low)}–${pct(p.high)}, n=${p.trials})` : '—');

  // Sign-in (web/shared/staff-session.js), with the studio's token: signed in there, signed in here.
  const session = window.AttuneStaffSession.create({
    storageKey: 'attune.studio.token',
    form: 'login',
    signedInViews: ['dashboard', 'export'],
    onSignedIn: () => load(),
  });

  /** GET with the session; undefined when the page went back to sign-in (401, or a role without insights). */
  async function api(route) {
    const response = await session.fetch(route);
    if (response.status === 401) return undefined;
    if (response.status === 403) {
      session.showSignIn('Insights are for supervisor and content accounts.');
      return undefined;
    }
    return response;
  }
  $('days').addEventListener('change', () => void load());
  $('export').addEventListener('click', async () => {
    const response = await api(`/api/insights.csv?days=${$('days').value}`);
    if (!response) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = `attune-insights-${new Date().toISOString().slice(0, 10)}.csv`;
    link.click();
  });

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    charts[id] = new window.Chart($(id), config);
  }

  function kpi(label, value) {
    const box = document.createElement('div');
    box.className = 'kpi';
    const strong = document.createElement('strong');
    strong.textContent = value;
    box.append(strong, label);
    return box;
  }

  async function load() {
    const response = await api(`/api/insights?days=${$('days').value}`);
    if (!response) return;
    const data = await response.json();
    session.showSignedIn();
    $('kpis').replaceChildren(
      kpi('conversations', String(data.totals.conversations)),
      kpi('containment', ci(data.totals.containment)),
      kpi('CSAT mean', data.csat.mean === undefined ? '—' : String(data.csat.mean)),
      kpi('satisfied (4–5)', ci(data.csat.satisfied)),
    );
    const days = data.days.map((d) => d.day);
    draw('chart-containment', { type: 'line', data: { labels: days, datasets: [
      { label: 'containment rate', data: data.days.map((d) => (d.conversations ? d.containmentRate : null)) },
      { label: 'escalation rate', data: data.days.map((d) => (d.conversations ? d.escalationRate : null)) },
    ] }, options: { scales: { y: { min: 0, max: 1 } } } });
    draw('chart-mood', { type: 'line', data: { labels: days, datasets: [
      { label: 'mean sentiment (−1…1)', data: data.days.map((d) => d.sentimentMean ?? null) },
      { label: 'mean frustration (0…1)', data: data.days.map((d) => d.frustrationMean ?? null) },
    ] } });
    draw('chart-reasons', { type: 'bar', data: { labels: data.escalationTriggers.map((t) => t.trigger), datasets: [{ label: 'escalations', data: data.escalationTriggers.map((t) => t.count) }] } });
    draw('chart-pools', { type: 'bar', data: { labels: data.pools.map((p) => p.pool), datasets: [
      { label: 'mean wait', data: data.pools.map((p) => p.waitSecondsMean ?? 0) },
      { label: 'p90 wait', data: data.pools.map((p) => p.waitSecondsP90 ?? 0) },
      { label: 'mean handle', data: data.pools.map((p) => p.handleSecondsMean ?? 0) },
    ] } });
    draw('chart-csat', { type: 'bar', data: { labels: [1, 2, 3, 4, 5], datasets: [{ label: 'ratings', data: [1, 2, 3, 4, 5].map((s) => (data.csat.distribution.find((c) => c.score === s) || { count: 0 }).count) }] } });
    $('offers-empty').hidden = data.offers.length > 0;
    draw('chart-offers', { type: 'bar', data: { labels: data.offers.map((o) => o.offerId), datasets: [
      { label: 'shown', data: data.offers.map((o) => o.shown) },
      { label: 'accepted', data: data.offers.map((o) => o.accepted) },
      { label: 'opted out', data: data.offers.map((o) => o.optedOut) },
    ] } });
    renderExperiments(data.experiments);
  }

  function renderExperiments(experiments) {
    const container = $('experiments');
    if (experiments.length === 0) return container.replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: 'No experiment has run yet.' }));
    container.replaceChildren(...experiments.map((result) => {
      const section = document.createElement('div');
      section.className = 'experiment';
      section.dataset.id = result.experiment.id;
      const title = document.createElement('h3');
      title.textContent = `${result.experiment.name} — ${result.experiment.target} (${result.experiment.status})`;
      const table = document.createElement('table');
      const head = ['variant', 'conversations', 'escalation', 'containment', 'CSAT 4–5', 'offer acceptance', 'negative signals'];
      table.innerHTML = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
      const body = document.createElement('tbody');
      for (const v of result.variants) {
        const row = document.createElement('tr');
        row.dataset.variant = v.variantId;
        if (v.stopped) row.className = 'stopped';
        const cells = [`${v.variantId}${v.control ? ' (control)' : ''}${v.stopped ? ' — stopped' : ''}`, String(v.conversations), ci(v.escalation), ci(v.containment), ci(v.csatSatisfied), ci(v.offerAcceptance), ci(v.negative)];
        for (const text of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          row.append(td);
        }
        if (v.stopped && v.stopped.reason) row.title = v.stopped.reason;
        body.append(row);
      }
      table.append(body);
      section.append(title, table);
      return section;
    }));
  }

  if (session.token()) void load();
  else session.showSignIn('');
})();
