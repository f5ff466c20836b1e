/**
 * Suggested replies over HTTP with an LLM configured (a local fake OpenAI server): the model's
 * replies when it answers well and in time; the content templates when it is slow or answers out of
 * shape, never an error and never later than the timeout allows.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import { ScriptedCustomer } from '../support/customer';
import { FakeConnector } from '../support/fake-connector';
import { FakeOpenAi } from '../support/fake-openai';

const ROOT = path.resolve(__dirname, '..', '..');
const TIMEOUT_MS = 400;

interface Suggestion {
  text: string;
  tone: string;
  source: string;
}

describe('suggested replies with an LLM', () => {
  const connector = new FakeConnector();
  const llm = new FakeOpenAi();
  let dataDir: string;
  let attune: RunningAttune;
  let token: string;
  let escalationId: string;

  const suggestions = async () => {
    const started = Date.now();
    const response = await fetch(`${attune.url}/api/agent/escalations/${escalationId}/suggestions`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, ms: Date.now() - started, list: ((await response.json()) as { suggestions: Suggestion[] }).suggestions };
  };
  /** The requests our suggester made (the summariser and the intent refiner use the same server). */
  const suggestionRequests = () => llm.requests.filter((r) => JSON.stringify(r.body.messages).includes('messages the agent could send'));

  beforeAll(async () => {
    await Promise.all([connector.start(), llm.start()]);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-suggest-'));
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00', OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: llm.url, OPENAI_TIMEOUT_MS: String(TIMEOUT_MS) };
    attune = await startAttune(loadConfig(env, ROOT), pino({ level: 'silent' }));
    const { password } = await createAgentAccount(attune.store.agents, { name: 'ann', pool: 'apprentice', role: 'agent' });
    const login = await fetch(`${attune.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ann', password }) });
    token = ((await login.json()) as { token: string }).token;

    const customer = new ScriptedCustomer(attune.url, connector);
    await customer.say("my card hasn't arrived");
    await customer.say('I want to talk to a person', 3);
    escalationId = (await attune.store.escalations.activeForConversation(`webchat:${customer.conversationId}`))!.id;
  });

  beforeEach(() => llm.reset());

  afterAll(async () => {
    await attune?.close();
    await Promise.all([connector.stop(), llm.stop()]);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("offers the model's replies, written from the conversation", async () => {
    llm.behaviour = { kind: 'content', content: JSON.stringify({ replies: ['I can see your card was posted on the 3rd.', 'I will order an express replacement now.', 'Is your address still the same?', 'one too many'] }) };
    const { status, list } = await suggestions();
    expect(status).toBe(200);
    expect(list).toEqual([
      { text: 'I can see your card was posted on the 3rd.', tone: 'neutral', source: 'llm' },
      { text: 'I will order an express replacement now.', tone: 'neutral', source: 'llm' },
      { text: 'Is your address still the same?', tone: 'neutral', source: 'llm' },
    ]);
    const [request] = suggestionRequests();
    expect(JSON.stringify(request?.body.messages)).toContain("Customer: my card hasn't arrived");
  });

  it('falls back to the templates when the model is slower than OPENAI_TIMEOUT_MS', async () => {
    llm.behaviour = { kind: 'slow', delayMs: 5000, intent: 'x', confidence: 1 };
    const { status, ms, list } = await suggestions();
    expect(status).toBe(200);
    expect(suggestionRequests()).toHaveLength(1);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);
    expect(list.map((s) => s.source)).toEqual(['template', 'template', 'template']);
    expect(list[1]?.text).toMatch(/card was sent/);
  });

  it('falls back to the templates when the model answers out of shape', async () => {
    llm.behaviour = { kind: 'content', content: '{"replies": "not a list"}' };
    const { list } = await suggestions();
    expect(suggestionRequests()).toHaveLength(1);
    expect(list.map((s) => s.source)).toEqual(['template', 'template', 'template']);
  });
});
