/*
 * The agent desk (served at /agent): sign in, the live queue, take a chat, its transcript and
 * handoff package, suggested replies to edit, messages, notes, transfer and resolve.
 *
 * Safety: every string that comes from a customer, an agent or the server is put on the page with
 * textContent (never innerHTML), so markup in a message shows as text and never runs.
 * Live updates come from GET /api/agent/events (Server-Sent Events) read with fetch(), because
 * EventSource cannot send the bearer token. Events are hints: on every (re)connect the page
 * re-reads the queue, the chats the agent holds (GET /api/agent/chats, so a reload loses none)
 * and the open chat, so nothing missed while offline stays missing.
 */
(function desk() {
  'use strict';

  const RECONNECT_MS = 2000;
  const TRIGGERS = {
    human_request: 'Asked for a person',
    high_risk: 'High-risk request',
    frustration: 'Frustrated',
    failed_turns: 'Bot did not understand',
  };
  const ROLE_NAMES = { customer: 'Customer', bot: 'Assistant', agent: 'Agent', note: 'Note' };

  const state = {
    agent: undefined,
    queue: [],
    queueFetchedAt: 0,
    /** Chats in progress the agent holds (a supervisor: everyone's). */
    held: [],
    /** The chat on screen: { escalation, lines: Map(id → line) } */
    open: undefined,
    /** The message being sent: { chatId, text, id }, its id kept for a retry while its fate is unknown. */
    sending: undefined,
    stream: undefined,
  };

  const $ = (id) => document.getElementById(id);

  // ---------- small DOM helpers: text only, never markup ----------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setText(id, text) {
    $(id).textContent = text === undefined || text === null || text === '' ? '—' : String(text);
  }

  function minutesSeconds(totalSeconds) {
    const s = Math.max(0, Math.round(totalSeconds));
    const m = Math.floor(s / 60);
    return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
  }

  function timeOf(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // ---------- the API ----------

  class HttpError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      /** attune's error code: present when attune itself answered (not a proxy in between). */
      this.code = body && body.code;
    }
  }

  async function api(method, path, body) {
    const response = await session.fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) throw new HttpError(response.status, json);
    return json;
  }

  // ---------- sign in and out (web/shared/staff-session.js) ----------

  const session = window.AttuneStaffSession.create({
    storageKey: 'attune.desk.token',
    form: 'login-form',
    signInView: 'login-view',
    signedInViews: ['desk-view', 'password', 'logout'],
    logoutButton: 'logout',
    passwordForm: 'password-form',
    who: 'whoami',
    describe: (agent) => `${agent.name} · ${agent.pool} pool · ${agent.role}`,
    onSignedIn: (agent) => startDesk(agent),
    onSignedOut: () => {
      state.agent = undefined;
      stopStream();
    },
    sessionEndedMessage: 'Your session ended. Please sign in again.',
  });

  async function startDesk(agent) {
    state.agent = agent;
    session.showSignedIn(agent);
    startStream();
  }

  // ---------- live events (SSE over fetch) ----------

  function setConnection(live) {
    $('connection').textContent = live ? 'live' : 'offline, reconnecting…';
    $('connection').classList.toggle('live', live);
  }

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = undefined;
    setConnection(false);
  }

  async function startStream() {
    stopStream();
    const controller = new window.AbortController();
    state.stream = controller;
    try {
      const response = await session.fetch('/api/agent/events', { signal: controller.signal });
      if (response.status === 401) return; // the session has signed out
      if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new window.TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          onFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      if (controller.signal.aborted) return;
    }
    if (state.stream !== controller) return;
    setConnection(false);
    window.setTimeout(() => {
      if (state.stream === controller && session.token()) startStream();
    }, RECONNECT_MS);
  }

  function onFrame(frame) {
    let name = 'message';
    const data = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) continue; // heartbeat comment
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (name === 'ready') {
      setConnection(true);
      void refreshAll();
      return;
    }
    if (name !== 'desk' || data.length === 0) return;
    let event;
    try {
      event = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    onDeskEvent(event);
  }

  function onDeskEvent(event) {
    const isOpen = state.open && event.escalation && event.escalation.id === state.open.escalation.id;
    if (event.type === 'transcript_added') {
      if (isOpen) addLine(event.turn);
      return;
    }
    if (event.type === 'escalation_changed') {
      scheduleQueueRefresh();
      if (isOpen) {
        state.open.escalation = { ...state.open.escalation, status: event.escalation.status, pool: event.escalation.pool, agentId: event.escalation.agentId };
        renderChatStatus();
      }
    }
  }

  async function refreshAll() {
    await Promise.all([refreshQueue(), refreshHeld()]);
    if (!state.open) return;
    try {
      await openChat(state.open.escalation.id);
    } catch {
      // Transferred to a pool the agent does not work (404): no longer theirs to read, so the page
      // keeps what it showed, with the controls off. Anything else: the next reconnect retries.
    }
  }

  // ---------- the queue ----------

  let queueTimer;
  function scheduleQueueRefresh() {
    window.clearTimeout(queueTimer);
    queueTimer = window.setTimeout(() => {
      void refreshQueue();
      void refreshHeld();
    }, 150);
  }

  async function refreshQueue() {
    try {
      const { chats } = await api('GET', '/api/agent/queue');
      state.queue = chats;
      state.queueFetchedAt = Date.now();
      renderQueue();
    } catch {
      // shown as offline by the stream; the next event or reconnect retries
    }
  }

  function renderQueue() {
    const list = $('queue');
    clear(list);
    $('queue-empty').hidden = state.queue.length > 0;
    $('queue-count').textContent = state.queue.length > 0 ? `(${state.queue.length})` : '';
    for (const chat of state.queue) {
      const item = el('li', 'queue-item');
      item.dataset.id = chat.id;
      const name = (chat.customer && chat.customer.firstName) || 'Customer';
      item.append(el('span', 'who', name));
      const meta = el('span', 'meta');
      meta.append(
        el('span', 'pill', `${chat.pool}`),
        el('span', 'pill', `priority ${Math.round(chat.priority * 10) / 10}`),
        el('span', `pill mood-${chat.mood}`, `mood: ${chat.mood}`),
        el('span', 'pill', TRIGGERS[chat.trigger] || chat.trigger),
      );
      const wait = el('span', 'pill wait');
      wait.dataset.seconds = String(chat.waitingSeconds);
      wait.textContent = `waiting ${minutesSeconds(chat.waitingSeconds)}`;
      meta.append(wait);
      if (chat.afterHours) meta.append(el('span', 'pill', 'after hours'));
      item.append(meta, el('p', 'summary', chat.summary));
      const take = el('button', '', 'Take');
      take.type = 'button';
      take.setAttribute('aria-label', `Take the chat with ${name}`);
      take.addEventListener('click', () => void takeChat(chat.id, take));
      item.append(take);
      list.append(item);
    }
  }

  // ---------- the chats in progress ----------

  async function refreshHeld() {
    try {
      const { chats } = await api('GET', '/api/agent/chats');
      state.held = chats;
      renderHeld();
    } catch {
      // as for the queue: the next event or reconnect retries
    }
  }

  function renderHeld() {
    const supervising = state.agent && state.agent.role === 'supervisor';
    $('held-title').firstChild.textContent = supervising ? 'Chats in progress ' : 'Your chats ';
    const list = $('held');
    clear(list);
    $('held-empty').hidden = state.held.length > 0;
    $('held-count').textContent = state.held.length > 0 ? `(${state.held.length})` : '';
    for (const chat of state.held) {
      const mine = Boolean(state.agent) && chat.agentId === state.agent.id;
      const item = el('li', 'queue-item');
      item.dataset.id = chat.id;
      if (state.open && state.open.escalation.id === chat.id) item.classList.add('current');
      const name = (chat.customer && chat.customer.firstName) || 'Customer';
      item.append(el('span', 'who', name));
      const meta = el('span', 'meta');
      meta.append(el('span', 'pill', chat.pool), el('span', `pill mood-${chat.mood}`, `mood: ${chat.mood}`), el('span', 'pill', TRIGGERS[chat.trigger] || chat.trigger));
      if (supervising) meta.append(el('span', 'pill', mine ? 'yours' : "another agent's"));
      item.append(meta, el('p', 'summary', chat.summary));
      const open = el('button', 'secondary', 'Open');
      open.type = 'button';
      open.setAttribute('aria-label', `Open the chat with ${name}`);
      // Taking a chat one holds again finishes a take that failed half-way (the server makes it safe).
      open.addEventListener('click', () => void (mine ? takeChat(chat.id, open) : showChat(chat.id)));
      item.append(open);
      list.append(item);
    }
  }

  async function showChat(id) {
    try {
      await openChat(id);
    } catch (error) {
      $('chat-error').textContent = `Could not open the chat: ${error.message}`;
    }
  }

  function tickWaits() {
    const elapsed = (Date.now() - state.queueFetchedAt) / 1000;
    for (const wait of document.querySelectorAll('#queue .wait')) {
      wait.textContent = `waiting ${minutesSeconds(Number(wait.dataset.seconds) + elapsed)}`;
    }
  }

  async function takeChat(id, button) {
    button.disabled = true;
    try {
      await api('POST', `/api/agent/escalations/${encodeURIComponent(id)}/take`);
      await openChat(id);
      $('message-text').focus();
    } catch (error) {
      $('chat-error').textContent = error instanceof HttpError && error.status === 409 ? 'Someone else took this chat.' : 'Could not take the chat.';
      button.disabled = false;
    }
    scheduleQueueRefresh();
  }

  // ---------- the open chat ----------

  async function openChat(id) {
    const { escalation, transcript } = await api('GET', `/api/agent/escalations/${encodeURIComponent(id)}`);
    state.open = { escalation, lines: new Map() };
    renderHeld();
    $('chat-empty').hidden = true;
    $('chat').hidden = false;
    $('chat-error').textContent = '';
    clear($('transcript'));
    for (const line of transcript) addLine(line);
    renderChatStatus();
    renderContext(escalation);
    void loadSuggestions(id);
  }

  function addLine(line) {
    if (!state.open || state.open.lines.has(line.id)) return;
    state.open.lines.set(line.id, line);
    const item = el('li', `line ${line.role}`);
    item.dataset.id = line.id;
    item.append(el('span', 'who', `${ROLE_NAMES[line.role] || line.role} · ${timeOf(line.at)}`), el('span', 'text', line.text));
    const masked = maskedNotice(line.masked);
    if (masked) item.append(el('span', 'masked', masked));
    const list = $('transcript');
    list.append(item);
    list.scrollTop = list.scrollHeight;
    if (line.role === 'customer' && typeof line.frustration === 'number') renderMood();
  }

  /** Why the customer was warned about sharing card details: what the bot hid (counts only), or ''. */
  function maskedNotice(masked) {
    if (!masked) return '';
    const hidden = [];
    if (masked.cardNumbers > 0) hidden.push(masked.cardNumbers === 1 ? 'a card number' : `${masked.cardNumbers} card numbers`);
    if (masked.securityCodes > 0) hidden.push(masked.securityCodes === 1 ? 'a security code' : `${masked.securityCodes} security codes`);
    return hidden.length === 0 ? '' : `Hidden: ${hidden.join(' and ')}; the customer was told not to share them in chat.`;
  }

  function renderChatStatus() {
    const { escalation } = state.open;
    const mine = escalation.agentId === state.agent.id;
    const active = escalation.status === 'assigned' && mine;
    const words = {
      queued: 'Waiting in the queue',
      assigned: mine ? 'You have this chat' : 'Another agent has this chat',
      resolved: 'Resolved: the assistant has the customer again',
      abandoned: 'The customer left',
      expired: 'Expired',
    };
    $('chat-status').textContent = `${words[escalation.status] || escalation.status} · ${escalation.pool} pool`;
    for (const form of ['message-form', 'transfer-form', 'resolve-form']) {
      for (const control of $(form).elements) control.disabled = !active;
    }
  }

  async function loadSuggestions(id) {
    const list = $('suggestions');
    clear(list);
    try {
      const { suggestions } = await api('GET', `/api/agent/escalations/${encodeURIComponent(id)}/suggestions`);
      if (!state.open || state.open.escalation.id !== id) return;
      for (const suggestion of suggestions) {
        const item = el('li');
        const use = el('button', 'secondary', suggestion.text);
        use.type = 'button';
        use.title = `${suggestion.tone} tone, ${suggestion.source === 'llm' ? 'written by the model' : 'from templates'}`;
        use.addEventListener('click', () => {
          const box = $('message-text');
          box.value = suggestion.text;
          box.focus();
        });
        item.append(use);
        list.append(item);
      }
    } catch {
      list.append(el('li', 'muted', 'No suggestions right now.'));
    }
  }

  /** A fresh message id (crypto.randomUUID needs a secure context; getRandomValues does not). */
  function newMessageId() {
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  async function sendMessage(event) {
    event.preventDefault();
    const box = $('message-text');
    const text = box.value.trim();
    if (!text || !state.open) return;
    const chatId = state.open.escalation.id;
    // The same words to the same chat after an unanswered attempt keep its id: the server then
    // never sends them twice. Anything else is a new message.
    const pending = state.sending;
    const sending = pending && pending.chatId === chatId && pending.text === text ? pending : { chatId, text, id: newMessageId() };
    state.sending = sending;
    try {
      const { turn } = await api('POST', `/api/agent/escalations/${encodeURIComponent(chatId)}/messages`, { text, clientMessageId: sending.id });
      state.sending = undefined;
      addLine(turn);
      box.value = '';
      $('chat-error').textContent = '';
    } catch (error) {
      // attune answered with a code: this attempt is settled (not delivered), so sending again is a
      // new message. No answer, or one without a code (a proxy's 502/504): it may have gone out,
      // so the retry repeats the id.
      if (error instanceof HttpError && error.code) state.sending = undefined;
      $('chat-error').textContent = `Not sent: ${error.message}`;
    }
  }

  async function addNote(event) {
    event.preventDefault();
    const box = $('note-text');
    const text = box.value.trim();
    if (!text || !state.open) return;
    try {
      const { turn } = await api('POST', `/api/agent/escalations/${encodeURIComponent(state.open.escalation.id)}/notes`, { text });
      addLine(turn);
      box.value = '';
    } catch (error) {
      $('chat-error').textContent = `Note not saved: ${error.message}`;
    }
  }

  async function transfer(event) {
    event.preventDefault();
    if (!state.open) return;
    try {
      const moved = await api('POST', `/api/agent/escalations/${encodeURIComponent(state.open.escalation.id)}/transfer`, { pool: $('transfer-pool').value });
      state.open.escalation = { ...state.open.escalation, status: moved.status, pool: moved.pool, agentId: moved.agentId };
      renderChatStatus();
      scheduleQueueRefresh();
    } catch (error) {
      $('chat-error').textContent = `Not transferred: ${error.message}`;
    }
  }

  async function resolve(event) {
    event.preventDefault();
    if (!state.open) return;
    try {
      const resolved = await api('POST', `/api/agent/escalations/${encodeURIComponent(state.open.escalation.id)}/resolve`, { disposition: $('resolve-disposition').value });
      state.open.escalation = { ...state.open.escalation, status: resolved.status };
      renderChatStatus();
      scheduleQueueRefresh();
    } catch (error) {
      $('chat-error').textContent = `Not resolved: ${error.message}`;
    }
  }

  // ---------- the handoff package ----------

  function renderContext(escalation) {
    const { handoff } = escalation;
    $('context-empty').hidden = true;
    $('context').hidden = false;
    setText('profile-name', handoff.profile && handoff.profile.firstName);
    setText('profile-tier', handoff.profile ? handoff.profile.tier : 'not identified');
    setText('profile-products', handoff.profile && handoff.profile.products.join(', '));
    setText('context-reason', TRIGGERS[escalation.trigger] || escalation.trigger);
    setText('context-pool', `${escalation.pool} · ${Math.round(escalation.priority * 10) / 10}`);
    setText('context-summary', handoff.summary);
    // The model's summary, if any, beside the rules' one and marked as such: it read the customer's words.
    $('context-llm').hidden = !handoff.llmSummary;
    setText('context-llm-summary', handoff.llmSummary || '');
    setText('context-next', handoff.nextBestAction);
    fillList('context-tried', handoff.botTried, 'Nothing yet');
    const details = [
      ...handoff.intents.map((i) => `${i.intent.replace(/_/g, ' ')} (${Math.round(i.confidence * 100)}%)`),
      ...handoff.entities.map((e) => `${e.kind}: ${e.text}`),
    ];
    if (handoff.dialogInProgress) details.push(`left in: ${handoff.dialogInProgress}`);
    fillList('context-intents', details, 'None recognised');
    renderMood();
  }

  function fillList(id, items, empty) {
    const list = $(id);
    clear(list);
    if (items.length === 0) list.append(el('li', 'muted', empty));
    for (const item of items) list.append(el('li', '', item));
  }

  /** Frustration (0–1) per customer turn: the package's trajectory, then the live turns after it. */
  function moodPoints() {
    const { escalation, lines } = state.open;
    const points = escalation.handoff.trajectory.map((p) => ({ at: p.at, frustration: p.frustration, sentiment: p.sentiment, reasons: p.reasons }));
    const handedOverAt = points.length > 0 ? new Date(points[points.length - 1].at).getTime() : 0;
    for (const line of lines.values()) {
      if (line.role !== 'customer' || typeof line.frustration !== 'number' || new Date(line.at).getTime() <= handedOverAt) continue;
      points.push({ at: line.at, frustration: line.frustration, reasons: line.reasons || [] });
    }
    return points;
  }

  function renderMood() {
    if (!state.open) return;
    const points = moodPoints();
    const latest = points[points.length - 1];
    $('mood-now').textContent = latest ? `Frustration now ${latest.frustration.toFixed(2)} (peak ${Math.max(...points.map((p) => p.frustration)).toFixed(2)})` : 'No mood readings yet';
    drawSparkline($('sparkline'), points);
    const reasons = latest ? [...latest.reasons].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, 6) : [];
    fillList('mood-reasons', reasons.map((r) => `${r.name.replace(/[_:]/g, ' ')} (${r.weight >= 0 ? '+' : ''}${r.weight.toFixed(2)})`), 'No reasons recorded');
  }

  function drawSparkline(container, points) {
    const ns = 'http://www.w3.org/2000/svg';
    const width = 240;
    const height = 70;
    const pad = 6;
    clear(container);
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `Frustration over ${points.length} customer messages`);
    const x = (i) => pad + (points.length < 2 ? (width - 2 * pad) / 2 : (i * (width - 2 * pad)) / (points.length - 1));
    const y = (value) => height - pad - value * (height - 2 * pad);
    const axis = document.createElementNS(ns, 'line');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('x1', String(pad));
    axis.setAttribute('x2', String(width - pad));
    axis.setAttribute('y1', String(y(0)));
    axis.setAttribute('y2', String(y(0)));
    svg.append(axis);
    const frustration = document.createElementNS(ns, 'polyline');
    frustration.setAttribute('class', 'frustration');
    frustration.setAttribute('points', points.map((p, i) => `${x(i)},${y(p.frustration)}`).join(' '));
    svg.append(frustration);
    const withSentiment = points.filter((p) => typeof p.sentiment === 'number');
    if (withSentiment.length === points.length && points.length > 1) {
      const sentiment = document.createElementNS(ns, 'polyline');
      sentiment.setAttribute('class', 'sentiment');
      sentiment.setAttribute('points', points.map((p, i) => `${x(i)},${y((p.sentiment + 1) / 2)}`).join(' '));
      svg.append(sentiment);
    }
    points.forEach((p, i) => {
      const dot = document.createElementNS(ns, 'circle');
      dot.setAttribute('cx', String(x(i)));
      dot.setAttribute('cy', String(y(p.frustration)));
      dot.setAttribute('r', '2.5');
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${timeOf(p.at)}: frustration ${p.frustration.toFixed(2)}${p.reasons.length ? ` (${p.reasons.map((r) => r.name).join(', ')})` : ''}`;
      dot.append(title);
      svg.append(dot);
    });
    container.append(svg);
  }

  // ---------- start ----------

  async function boot() {
    $('message-form').addEventListener('submit', (e) => void sendMessage(e));
    $('note-form').addEventListener('submit', (e) => void addNote(e));
    $('transfer-form').addEventListener('submit', (e) => void transfer(e));
    $('resolve-form').addEventListener('submit', (e) => void resolve(e));
    // Enter sends, Shift+Enter starts a new line: the habit of every chat tool.
    $('message-text').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        $('message-form').requestSubmit();
      }
    });
    window.setInterval(tickWaits, 1000);
    if (!session.token()) return session.showSignIn('');
    try {
      const { agent } = await api('GET', '/api/agent/me');
      await startDesk(agent);
    } catch {
      if (!state.agent) session.showSignIn('');
    }
  }

  void boot();
})();
