// The content studio: sign in, browse templates by dialog, edit tone variants side by side,
// validate live (the same lint as publishing), preview in a chat bubble, publish, diff, restore.
'use strict';
(function () {
  const TONES = ['neutral', 'empathetic', 'reassuring', 'warm'];
  const $ = (id) => document.getElementById(id);
  const state = { files: [], catalog: [], path: undefined, template: undefined, versionId: null };

  // ---- sign-in (web/shared/staff-session.js); insights shares the token ----
  const session = window.AttuneStaffSession.create({
    storageKey: 'attune.studio.token',
    form: 'login',
    signedInViews: ['studio', 'password', 'logout'],
    logoutButton: 'logout',
    passwordForm: 'password-form',
    who: 'who',
    describe: (agent) => `${agent.name} (${agent.role})`,
    refuse: (agent) => (agent.role !== 'content' && agent.role !== 'supervisor' ? 'The studio is for content and supervisor accounts.' : undefined),
    onSignedIn: (agent) => open(agent),
  });

  async function api(method, route, body) {
    const response = await session.fetch(route, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    return { status: response.status, json };
  }

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) node.append(child);
    return node;
  }

  /** Loads the content and shows the studio; `agent` names the account just signed in. */
  async function open(agent) {
    const { status, json } = await api('GET', '/api/content/templates');
    if (status !== 200) {
      $('login-error').textContent = json.message || 'Could not load content.';
      return;
    }
    session.showSignedIn(agent);
    state.files = json.files.map((f) => ({ path: f.path, text: f.text }));
    state.catalog = json.catalog;
    state.versionId = json.versionId;
    renderFiles();
    // The experiments screen (experiments.js) offers the templates as experiment targets.
    const templates = [...new Set(state.catalog.flatMap((file) => file.templates.map((t) => t.name)))];
    document.dispatchEvent(new CustomEvent('studio:open', { detail: { templates } }));
    await Promise.all([loadVersions(), validate(), loadPersonas()]);
  }

  // ---- browsing ----
  function renderFiles() {
    $('files').replaceChildren(
      ...state.catalog.map((file) => {
        const item = el('li', { textContent: `${file.dialog} (${file.locale})`, className: `file-item${file.path === state.path ? ' selected' : ''}` });
        item.dataset.path = file.path;
        item.addEventListener('click', () => selectFile(file.path));
        return item;
      }),
    );
  }

  function selectFile(path) {
    state.path = path;
    renderFiles();
    renderTemplates();
  }

  function renderTemplates() {
    const file = state.catalog.find((f) => f.path === state.path);
    const filter = $('template-filter').value.toLowerCase();
    $('templates').replaceChildren(
      ...(file ? file.templates : [])
        .filter((t) => t.name.toLowerCase().includes(filter))
        .map((t) => {
          const item = el('li', { textContent: t.name, className: `template-item${t.name === state.template ? ' selected' : ''}` });
          item.dataset.name = t.name;
          item.addEventListener('click', () => selectTemplate(t.name));
          return item;
        }),
    );
  }
  $('template-filter').addEventListener('input', renderTemplates);

  function selectTemplate(name) {
    state.template = name;
    renderTemplates();
    renderVariants();
    void preview();
  }

  /** Tone variants side by side; a missing tone gets an "add" button. */
  function renderVariants() {
    const file = state.catalog.find((f) => f.path === state.path);
    const template = file && file.templates.find((t) => t.name === state.template);
    $('template-title').textContent = template ? template.name : 'Pick a template';
    if (!template) return $('variants').replaceChildren();
    const toned = template.variants.some((v) => v.tone);
    const boxes = toned
      ? [...TONES.map((tone) => template.variants.find((v) => v.tone === tone && !v.short) || { name: `${template.name}.${tone}`, tone, missing: true }), ...template.variants.filter((v) => v.short)]
      : template.variants;
    $('variants').replaceChildren(...boxes.map(variantBox));
  }

  function variantBox(variant) {
    const box = el('div', { className: 'variant' }, el('h3', { textContent: variant.short ? `${variant.tone} · short (SMS)` : variant.tone || variant.name }));
    if (variant.missing) {
      box.append(el('p', { className: 'missing', textContent: 'No variant: this tone gets the neutral copy.' }));
      const add = el('button', { type: 'button', textContent: `Add ${variant.tone}` });
      add.addEventListener('click', () => edit(variant.name, `- \${${state.template}.neutral()}`, true));
      box.append(add);
      return box;
    }
    const area = el('textarea', { value: variant.body, spellcheck: true });
    area.dataset.variant = variant.name;
    area.setAttribute('aria-label', `${variant.name} copy`);
    area.addEventListener('input', () => edit(variant.name, area.value, false));
    area.addEventListener('focus', () => {
      if (variant.tone) $('preview-tone').value = variant.tone;
      void preview();
    });
    box.append(area);
    return box;
  }

  let validateTimer;
  /** Applies an edit to the draft file, then validates and previews (debounced while typing). */
  function edit(name, body, rerender) {
    const file = state.files.find((f) => f.path === state.path);
    file.text = window.lgEdit.setTemplateBody(file.text, name, body);
    const view = state.catalog.find((f) => f.path === state.path).templates.find((t) => t.name === state.template);
    const existing = view.variants.find((v) => v.name === name);
    if (existing) existing.body = body;
    else view.variants.push({ name, tone: name.split('.').pop(), short: false, line: 0, body });
    if (rerender) renderVariants();
    $('publish-status').textContent = 'Unpublished changes.';
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => {
      void validate();
      void preview();
    }, 300);
  }

  // ---- validation ----
  async function validate() {
    const { status, json } = await api('POST', '/api/content/validate', { files: state.files });
    if (status !== 200) return showProblems([{ severity: 'error', file: '', line: 0, code: 'request', message: json.message }]);
    showProblems(json.problems);
  }

  function showProblems(problems) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    $('problem-count').textContent = `(${errors} error(s), ${problems.length - errors} warning(s))`;
    $('problems').replaceChildren(
      ...problems.map((p) => el('li', { className: p.severity, textContent: `${p.file}:${p.line} ${p.code}${p.template ? ` ${p.template}` : ''}: ${p.message}` })),
    );
    $('publish').disabled = errors > 0;
  }

  // ---- preview ----
  async function preview() {
    if (!state.template) return;
    const body = {
      template: state.template,
      channel: $('preview-channel').value,
      mood: $('preview-mood').value,
      files: state.files,
    };
    if ($('preview-tone').value) body.tone = $('preview-tone').value;
    if ($('preview-profile').value) body.profileId = $('preview-profile').value;
    const { status, json } = await api('POST', '/api/content/preview', body);
    if (status !== 200) {
      $('preview-bubble').textContent = json.message || 'No preview.';
      $('preview-buttons').replaceChildren();
      return;
    }
    $('preview-bubble').textContent = json.activity.text || '';
    const actions = (json.activity.suggestedActions && json.activity.suggestedActions.actions) || [];
    $('preview-buttons').replaceChildren(...actions.map((a) => el('button', { type: 'button', textContent: a.title || String(a.value) })));
    $('preview-meta').textContent = `Rendered in the ${json.tone} tone for ${body.channel}. Each preview may pick another phrasing.`;
  }
  /** The demo personas a preview can be rendered for (never a real customer). */
  async function loadPersonas() {
    const { status, json } = await api('GET', '/api/content/preview-profiles');
    if (status !== 200) return;
    const describe = (p) => `${p.firstName || p.id} (${p.tier}${p.preferences.useFirstName ? ', by first name' : ''}${p.preferences.tone ? `, ${p.preferences.tone}` : ''})`;
    $('preview-profile').replaceChildren(el('option', { value: '', textContent: '(none)' }), ...json.profiles.map((p) => el('option', { value: p.id, textContent: describe(p) })));
  }
  for (const id of ['preview-tone', 'preview-mood', 'preview-channel', 'preview-profile']) $(id).addEventListener('change', () => void preview());

  // ---- publish, versions, restore ----
  $('publish').addEventListener('click', async () => {
    $('publish-status').textContent = 'Publishing…';
    // baseVersionId: the version these edits started from, so that nobody's publish is undone unseen.
    const { status, json } = await api('POST', '/api/content/versions', { files: state.files, note: $('publish-note').value, baseVersionId: state.versionId ?? null });
    if (status === 409) {
      // The edits stay in the editor; the editor reloads when ready (Reload latest) and applies them again.
      $('publish-status').textContent = json.message || 'Someone else published meanwhile: nothing was published.';
      return;
    }
    if (status === 422) {
      showProblems(json.problems);
      $('publish-status').textContent = 'Not published: fix the errors first.';
      return;
    }
    if (status !== 201) {
      $('publish-status').textContent = json.message || `Not published (${status}).`;
      return;
    }
    $('publish-status').textContent = `Published version ${json.seq}. Every bot uses it within seconds.`;
    $('publish-note').value = '';
    await open();
    if (state.path) selectFile(state.path);
    if (state.template) selectTemplate(state.template);
  });

  async function loadVersions() {
    const { status, json } = await api('GET', '/api/content/versions');
    if (status !== 200) return;
    const current = json.versions.find((v) => v.id === json.current);
    $('current-version').textContent = current ? `version ${current.seq}` : 'deployed files';
    $('versions').replaceChildren(
      ...json.versions.map((v) => {
        const item = el('li', {}, el('strong', { textContent: `#${v.seq}` }), ` ${new Date(v.createdAt).toLocaleString()} by ${v.author}${v.id === json.current ? ' (current)' : ''}: ${v.note || '(no note)'} `);
        item.dataset.id = v.id;
        const diff = el('button', { type: 'button', className: 'show-diff', textContent: 'Diff' });
        diff.addEventListener('click', () => {
          $('diff').hidden = false;
          $('diff').textContent = v.diff || '(no changes)';
        });
        const restore = el('button', { type: 'button', className: 'restore', textContent: 'Restore' });
        restore.dataset.id = v.id;
        restore.disabled = v.id === json.current;
        restore.addEventListener('click', async () => {
          const result = await api('POST', `/api/content/versions/${encodeURIComponent(v.id)}/restore`);
          $('publish-status').textContent = result.status === 201 ? `Restored version ${v.seq} as version ${result.json.seq}.` : result.json.message || 'Not restored.';
          await open();
          if (state.path) selectFile(state.path);
          if (state.template) selectTemplate(state.template);
        });
        item.append(diff, ' ', restore);
        return item;
      }),
    );
  }

  if (session.token()) void open();
})();
