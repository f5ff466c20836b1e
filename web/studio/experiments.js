// The studio's experiments screen: every experiment with its status and per-variant results
// (counts with 95% Wilson intervals, guardrail state), a form to create one on a template or the
// offer slot, and start / stop. A client of /api/content/experiments only; text from the server
// or the form is set with textContent, never as HTML.
'use strict';
(function () {
  const TONES = ['neutral', 'empathetic', 'reassuring', 'warm'];
  const OFFER_SLOTS = ['follow_up'];
  const OFFERS = ['travel_card', 'fee_refund', 'savings_account', 'premium_account', 'card_upgrade', 'none'];
  const $ = (id) => document.getElementById(id);
  const pct = (p) => `${(p * 100).toFixed(1)}%`;
  /** `successes/trials · rate (low–high)`: counts first, then the 95% interval. */
  const interval = (p) => (p.trials ? `${p.successes}/${p.trials} · ${pct(p.rate)} (${pct(p.low)}–${pct(p.high)})` : '—');

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) node.append(child);
    return node;
  }

  async function api(method, route, body) {
    const token = sessionStorage.getItem('attune.studio.token');
    const response = await fetch(route, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json().catch(() => ({})) };
  }

  // ---- list with results ----
  async function load() {
    const { status, json } = await api('GET', '/api/content/experiments');
    if (status !== 200) {
      $('experiment-status').textContent = json.message || `Experiments could not be loaded (${status}).`;
      return;
    }
    const cards = await Promise.all(json.experiments.map(card));
    $('experiment-list').replaceChildren(...(cards.length ? cards : [el('p', { className: 'hint', textContent: 'No experiments yet.' })]));
  }

  async function card(experiment) {
    const section = el('section', { className: `experiment-card ${experiment.status}` });
    section.dataset.id = experiment.id;
    section.dataset.status = experiment.status;
    const what = experiment.kind === 'offer' ? `offer slot ${experiment.target}` : `template ${experiment.target}`;
    section.append(el('h3', {}, el('span', { className: 'experiment-name', textContent: experiment.name }), ' ', el('span', { className: 'experiment-state', textContent: experiment.status })));
    section.append(el('p', { className: 'hint', textContent: `${what} · by ${experiment.createdBy}${experiment.startedAt ? ` · started ${new Date(experiment.startedAt).toLocaleString()}` : ''}` }));
    if (experiment.status === 'draft') section.append(action('Start', 'start-experiment', experiment.id, 'start'));
    if (experiment.status === 'running') section.append(action('Stop', 'stop-experiment', experiment.id, 'stop'));
    section.append(experiment.status === 'draft' ? variantsTable(experiment) : await resultsTable(experiment));
    return section;
  }

  function action(label, className, id, verb) {
    const button = el('button', { type: 'button', className, textContent: label });
    button.addEventListener('click', async () => {
      button.disabled = true;
      const { status, json } = await api('POST', `/api/content/experiments/${encodeURIComponent(id)}/${verb}`);
      await load();
      $('experiment-status').textContent = status === 200 ? `${json.name}: ${json.status}.` : json.message || `Not done (${status}).`;
    });
    return button;
  }

  /** A draft: what each variant will do. */
  function variantsTable(experiment) {
    const rows = experiment.variants.map((v) => {
      const row = el('tr', {}, el('td', { textContent: label(experiment, v.id) }), el('td', { textContent: String(v.weight) }), el('td', { textContent: describe(v) }));
      row.dataset.variant = v.id;
      return row;
    });
    return el('table', { className: 'variants-table' }, el('thead', {}, el('tr', {}, ...['variant', 'weight', 'shows'].map((h) => el('th', { textContent: h })))), el('tbody', {}, ...rows));
  }

  function describe(variant) {
    if (variant.offerId) return variant.offerId === 'none' ? 'no offer' : `offer ${variant.offerId}`;
    const parts = [variant.tone ? `tone ${variant.tone}` : '', variant.text ? variant.text : ''].filter(Boolean);
    return parts.length ? parts.join(' · ') : 'today’s copy';
  }

  function label(experiment, id) {
    return id === experiment.controlVariantId ? `${id} (control)` : id;
  }

  /** Running or stopped: per-variant outcomes with counts and intervals, and the guardrail. */
  async function resultsTable(experiment) {
    const { status, json } = await api('GET', `/api/content/experiments/${encodeURIComponent(experiment.id)}/results`);
    if (status !== 200) return el('p', { className: 'error', textContent: json.message || 'No results.' });
    const head = ['variant', 'conversations', 'escalation', 'containment', 'CSAT 4–5', 'offer acceptance', 'negative signals', 'guardrail'];
    const rows = json.variants.map((o) => {
      const failing = (json.guardrail.wouldStop || []).find((v) => v.variantId === o.variantId);
      const guardrail = o.control ? 'control' : o.stopped ? `stopped: ${o.stopped.reason || 'by hand'}` : failing ? `stopping within a minute: ${failing.reason}` : 'ok';
      const row = el(
        'tr',
        { className: o.stopped ? 'stopped' : '' },
        el('td', { textContent: label(json.experiment, o.variantId) }),
        el('td', { textContent: String(o.conversations) }),
        ...[o.escalation, o.containment, o.csatSatisfied, o.offerAcceptance, o.negative].map((p) => el('td', { textContent: interval(p) })),
        el('td', { className: 'guardrail', textContent: guardrail }),
      );
      row.dataset.variant = o.variantId;
      return row;
    });
    const note = el('p', { className: 'hint', textContent: `Counts with 95% Wilson intervals. Guardrail: a variant stops when its negative signals are worse than control's (one-sided z ≥ ${json.guardrail.z.toFixed(3)}) once both have ${json.guardrail.minSample} conversations; it is checked once a minute.` });
    const table = el('table', { className: 'results-table' }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { textContent: h })))), el('tbody', {}, ...rows));
    return el('div', {}, table, note);
  }

  // ---- create ----
  let templateNames = [];

  function variantRow(id) {
    const row = el('fieldset', { className: 'variant-row' });
    const remove = el('button', { type: 'button', className: 'remove-variant', textContent: 'Remove' });
    remove.addEventListener('click', () => {
      row.remove();
      refreshControl();
    });
    const idInput = el('input', { className: 'variant-id', value: id, required: true, pattern: '[A-Za-z0-9_-]{1,40}' });
    idInput.setAttribute('aria-label', 'Variant id');
    idInput.addEventListener('input', refreshControl);
    const weight = el('input', { className: 'variant-weight', type: 'number', min: '0.1', step: '0.1', value: '1' });
    weight.setAttribute('aria-label', 'Traffic weight');
    const tone = el('select', { className: 'variant-tone' }, el('option', { value: '', textContent: '(same tone)' }), ...TONES.map((t) => el('option', { value: t, textContent: t })));
    tone.setAttribute('aria-label', 'Tone');
    const text = el('textarea', { className: 'variant-text', placeholder: '- Alternative phrasing (LG lines; empty keeps today’s copy)' });
    text.setAttribute('aria-label', 'Alternative text');
    const offer = el('select', { className: 'variant-offer' }, el('option', { value: '', textContent: '(policy’s offer)' }), ...OFFERS.map((o) => el('option', { value: o, textContent: o === 'none' ? 'no offer' : o })));
    offer.setAttribute('aria-label', 'Offer');
    row.append(
      el('label', {}, 'Variant ', idInput),
      el('label', {}, 'Weight ', weight),
      el('label', { className: 'for-template' }, 'Tone ', tone),
      el('label', { className: 'for-template' }, 'Text ', text),
      el('label', { className: 'for-offer' }, 'Offer ', offer),
      remove,
    );
    return row;
  }

  function refreshControl() {
    const select = $('experiment-control');
    const previous = select.value;
    const ids = [...document.querySelectorAll('#experiment-variants .variant-id')].map((input) => input.value.trim()).filter(Boolean);
    select.replaceChildren(...ids.map((id) => el('option', { value: id, textContent: id })));
    if (ids.includes(previous)) select.value = previous;
  }

  function refreshKind() {
    const offer = $('experiment-kind').value === 'offer';
    $('experiment-form').classList.toggle('offer-kind', offer);
    $('experiment-targets').replaceChildren(...(offer ? OFFER_SLOTS : templateNames).map((name) => el('option', { value: name })));
    if (offer && !OFFER_SLOTS.includes($('experiment-target').value)) $('experiment-target').value = OFFER_SLOTS[0];
  }

  function resetForm() {
    $('experiment-form').reset();
    $('experiment-variants').replaceChildren(variantRow('control'), variantRow('b'));
    refreshControl();
    refreshKind();
  }

  $('experiment-kind').addEventListener('change', refreshKind);
  $('add-variant').addEventListener('click', () => {
    $('experiment-variants').append(variantRow(`v${$('experiment-variants').children.length + 1}`));
    refreshControl();
  });

  $('experiment-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const kind = $('experiment-kind').value;
    const variants = [...document.querySelectorAll('#experiment-variants .variant-row')].map((row) => {
      const variant = { id: row.querySelector('.variant-id').value.trim(), weight: Number(row.querySelector('.variant-weight').value) || 1 };
      if (kind === 'offer') {
        const offer = row.querySelector('.variant-offer').value;
        if (offer) variant.offerId = offer;
      } else {
        const tone = row.querySelector('.variant-tone').value;
        const text = row.querySelector('.variant-text').value.trim();
        if (tone) variant.tone = tone;
        if (text) variant.text = text;
      }
      return variant;
    });
    const body = { name: $('experiment-name').value.trim(), kind, target: $('experiment-target').value.trim(), controlVariantId: $('experiment-control').value, variants };
    const { status, json } = await api('POST', '/api/content/experiments', body);
    if (status !== 201) {
      $('experiment-status').textContent = json.message || `Not created (${status}).`;
      return;
    }
    resetForm();
    await load();
    // Said once the list shows the new experiment, so what the editor reads is already on screen.
    $('experiment-status').textContent = `Created "${json.name}" as a draft: start it when ready.`;
  });

  // The studio announces when it has signed in and loaded the catalog.
  document.addEventListener('studio:open', (event) => {
    templateNames = event.detail && Array.isArray(event.detail.templates) ? event.detail.templates : [];
    if (!$('experiment-variants').children.length) resetForm();
    else refreshKind();
    void load();
  });
})();
