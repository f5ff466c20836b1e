/**
 * The content API end to end on the real server: roles, lint before publish (422), publish and
 * rollback reaching customers on /api/messages without a restart, across two instances over Redis,
 * and an A/B experiment with sticky assignment whose outcomes the results and insights APIs show.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { loadRecognizer } from '../../nlu/load-recognizer';
import type { Recognizer } from '../../nlu/recognizer';
import { createAgentAccount } from '../../server/auth/agent-accounts';
import type { ContentFile, StaffRole } from '../../storage/ports';
import { ScriptedCustomer } from '../support/customer';
import { FakeConnector, type RecordedActivity } from '../support/fake-connector';
import { anEscalation, aProfile } from '../support/fixtures';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { jsonApi, type JsonApi } from '../support/json-api';
import { deleteKeys, randomQueuePrefix, requireRedis, TEST_REDIS_URL } from '../support/redis';

// The studio's own edit function, so the API test edits files the way the page does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setTemplateBody } = require('../../web/studio/lg-edit.js') as { setTemplateBody(text: string, name: string, body: string): string };

const ROOT = path.resolve(__dirname, '..', '..');
const logger = pino({ level: 'silent' });
const TONES = ['neutral', 'empathetic', 'reassuring', 'warm'];

async function signIn(attune: RunningAttune, api: JsonApi, name: string, role: StaffRole): Promise<string> {
  const { password } = await createAgentAccount(attune.store.agents, { name, pool: 'apprentice', role });
  return ((await api('POST', '/api/agent/login', undefined, { name, password })).json as { token: string }).token;
}

/** The files in use with every tone of `greeting` replaced by `text (<tone>)`. */
/** The live content with every greeting variant saying `text`, and the version it was based on. */
async function withGreeting(api: JsonApi, token: string, text: string): Promise<{ files: ContentFile[]; baseVersionId: string | null }> {
  const live = (await api('GET', '/api/content/templates', token)).json as { files: ContentFile[]; versionId: string | null };
  const files = live.files.map((file) => (file.path === 'en/general.lg' ? { ...file, text: TONES.reduce((t, tone) => setTemplateBody(t, `greeting.${tone}`, `- ${text} (${tone})`), file.text) } : file));
  return { files, baseVersionId: live.versionId };
}

const attuneOf = (reply: RecordedActivity) => (reply.channelData as { attune?: { template?: string; experiment?: { id: string; variant: string } } }).attune;

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let recognizer: Recognizer;
beforeAll(async () => {
  recognizer = await loadRecognizer(path.join(ROOT, 'models'), logger);
});

describe('content API on one instance', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: RunningAttune;
  const api = jsonApi(() => attune.url);
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-content-'));
    // The guardrail waits an hour, so a background run never stops a variant a test has just seeded.
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BUSINESS_HOURS: '00:00-24:00', EXPERIMENT_GUARDRAIL_INTERVAL_MS: String(60 * 60_000) };
    attune = await startAttune(loadConfig(env, ROOT), logger, { recognizer });
    tokens.casey = await signIn(attune, api, 'casey', 'content');
    tokens.sam = await signIn(attune, api, 'sam', 'supervisor');
    tokens.ann = await signIn(attune, api, 'ann', 'agent');
  });

  afterAll(async () => {
    await attune?.close();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses every content and insights route without a token (401) and to agents (403)', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/content/templates'], ['POST', '/api/content/validate'], ['POST', '/api/content/preview'], ['GET', '/api/content/preview-profiles'], ['GET', '/api/content/versions'],
      ['POST', '/api/content/versions'], ['POST', '/api/content/versions/x/restore'], ['GET', '/api/content/experiments'], ['POST', '/api/content/experiments'],
      ['POST', '/api/content/experiments/x/start'], ['POST', '/api/content/experiments/x/stop'], ['GET', '/api/content/experiments/x/results'], ['GET', '/api/insights'], ['GET', '/api/insights.csv'],
    ];
    for (const [method, route] of routes) {
      expect([route, (await api(method, route)).status]).toEqual([route, 401]);
      expect([route, (await api(method, route, tokens.ann)).status]).toEqual([route, 403]);
    }
  });

  it('documents every content route in its OpenAPI description', async () => {
    const spec = (await api('GET', '/api/content/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const routes = attune.server.router.getRoutes() as unknown as Record<string, { method: string; path: string }>;
    const registered = Object.values(routes)
      .filter((r) => r.path.startsWith('/api/content/') || r.path.startsWith('/api/insights'))
      .map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('refuses to publish content that fails lint (422 with the problems), and nothing changes', async () => {
    const files = (await api('GET', '/api/content/templates', tokens.casey)).json.files as ContentFile[];
    const broken = files.map((f) => (f.path === 'en/general.lg' ? { ...f, text: f.text.replace(/# greeting\.warm\n[^#]*/, '') } : f));
    const validation = await api('POST', '/api/content/validate', tokens.casey, { files: broken });
    expect(validation.json.ok).toBe(false);
    const refused = await api('POST', '/api/content/versions', tokens.casey, { files: broken, note: 'oops', baseVersionId: null });
    expect(refused.status).toBe(422);
    expect(refused.json.problems).toContainEqual(expect.objectContaining({ code: 'missing_tone_variant', template: 'greeting', file: 'en/general.lg' }));
    expect(((await api('GET', '/api/content/versions', tokens.casey)).json.versions as unknown[]).length).toBe(0);
  });

  it('previews a template for a demo persona, mood and channel', async () => {
    const personas = await api('GET', '/api/content/preview-profiles', tokens.casey);
    expect(personas.status).toBe(200);
    expect(personas.json.profiles).toContainEqual(expect.objectContaining({ id: 'demo-ben', firstName: 'Ben', preferences: expect.objectContaining({ useFirstName: true }) }));
    const preview = await api('POST', '/api/content/preview', tokens.casey, { template: 'greeting', mood: 'happy', channel: 'sms', profileId: 'demo-ben' });
    expect(preview.status).toBe(200);
    expect(preview.json.tone).toBe('warm');
    expect((preview.json.activity as { text: string }).text).toMatch(/^Hi Ben!/);
  });

  it("never previews for a real customer's profile, for content or supervisor accounts alike", async () => {
    await attune.store.customers.save(aProfile({ id: 'cust-real', firstName: 'Zelda', preferences: { useFirstName: true } }));
    for (const token of [tokens.casey, tokens.sam]) {
      const refused = await api('POST', '/api/content/preview', token, { template: 'greeting', mood: 'happy', channel: 'webchat', profileId: 'cust-real' });
      expect(refused.status).toBe(400);
      expect(refused.json.code).toBe('ATTUNE_PREVIEW_PROFILE_INVALID');
      expect(JSON.stringify(refused.json)).not.toContain('Zelda');
      // The same answer for an id no customer has: the preview is no way to probe for customers.
      const unknown = await api('POST', '/api/content/preview', token, { template: 'greeting', profileId: 'cust-nobody' });
      expect([unknown.status, unknown.json.code]).toEqual([400, 'ATTUNE_PREVIEW_PROFILE_INVALID']);
    }
  });

  it('publishes: the customer sees the new copy without a restart; restoring brings the old copy back', async () => {
    const customer = new ScriptedCustomer(attune.url, connector);
    const [before] = await customer.say('hello');
    expect(attuneOf(before)?.template).toBe('greeting');
    expect(before.text).not.toContain('Published hello');

    const published = await api('POST', '/api/content/versions', tokens.casey, { ...(await withGreeting(api, tokens.casey, 'Published hello')), note: 'friendlier hello' });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ seq: 1, author: 'casey', note: 'friendlier hello' });
    expect(published.json.diff).toContain('+- Published hello (neutral)');

    const [after] = await customer.say('hello');
    expect(after.text).toMatch(/^Published hello \(\w+\)$/);

    const again = await api('POST', '/api/content/versions', tokens.sam, { ...(await withGreeting(api, tokens.casey, 'Second hello')), note: 'second' });
    expect(again.status).toBe(201);
    expect((await customer.say('hello'))[0].text).toMatch(/^Second hello/);

    const restored = await api('POST', `/api/content/versions/${String(published.json.id)}/restore`, tokens.casey);
    expect(restored.status).toBe(201);
    expect(restored.json).toMatchObject({ seq: 3, restoredFrom: published.json.id });
    expect((await customer.say('hello'))[0].text).toMatch(/^Published hello/);

    const versions = (await api('GET', '/api/content/versions', tokens.casey)).json;
    expect((versions.versions as { seq: number }[]).map((v) => v.seq)).toEqual([3, 2, 1]);
    expect(versions.current).toBe(restored.json.id);
    expect((await api('POST', '/api/content/versions/nope/restore', tokens.casey)).status).toBe(404);
  });

  it("refuses a publish over a version the editor never saw (409), so nobody's edits are undone unseen", async () => {
    // Casey and Sam open the studio on the same version; Casey publishes first.
    const caseys = await withGreeting(api, tokens.casey, 'Casey hello');
    const sams = await withGreeting(api, tokens.sam, 'Sam hello');
    expect(sams.baseVersionId).toBe(caseys.baseVersionId);
    const before = ((await api('GET', '/api/content/versions', tokens.casey)).json.versions as unknown[]).length;
    expect((await api('POST', '/api/content/versions', tokens.casey, { ...caseys, note: 'casey' })).status).toBe(201);

    const refused = await api('POST', '/api/content/versions', tokens.sam, { ...sams, note: 'sam' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'ATTUNE_CONTENT_CONFLICT', message: expect.stringContaining('published by casey') });
    const customer = new ScriptedCustomer(attune.url, connector);
    expect((await customer.say('hello'))[0].text).toMatch(/^Casey hello/);

    // Two publishes from the same base at the same moment: exactly one goes through.
    const [a, b] = [await withGreeting(api, tokens.casey, 'Race A'), await withGreeting(api, tokens.sam, 'Race B')];
    const raced = await Promise.all([api('POST', '/api/content/versions', tokens.casey, { ...a, note: 'a' }), api('POST', '/api/content/versions', tokens.sam, { ...b, note: 'b' })]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(((await api('GET', '/api/content/versions', tokens.casey)).json.versions as unknown[]).length).toBe(before + 2);

    // The base must be named: an API client cannot publish blind.
    const blind = await api('POST', '/api/content/versions', tokens.casey, { files: a.files, note: 'blind' });
    expect(blind.status).toBe(400);
    expect(blind.json.message).toContain('baseVersionId');
  });

  it('runs an experiment: sticky variants per customer, outcomes in results and insights', async () => {
    const created = await api('POST', '/api/content/experiments', tokens.casey, {
      name: 'Goodbye wording',
      target: 'goodbye',
      controlVariantId: 'control',
      variants: [{ id: 'control', weight: 1 }, { id: 'short', weight: 1, text: '- Bye from variant B!' }],
    });
    expect(created.status).toBe(201);
    const id = String(created.json.id);
    expect((await api('POST', `/api/content/experiments/${id}/start`, tokens.casey)).json.status).toBe('running');
    expect((await api('POST', `/api/content/experiments/${id}/start`, tokens.casey)).status).toBe(409);

    // One known customer in two conversations, and twelve anonymous conversations.
    await attune.store.customers.save(aProfile({ id: 'cust-sticky', identities: [{ channelId: 'webchat', userId: 'u-sticky' }] }));
    const seen = new Map<string, string[]>();
    const talk = async (customer: ScriptedCustomer, key: string) => {
      for (let i = 0; i < 2; i++) {
        const [reply] = await customer.say('bye');
        const variant = attuneOf(reply)?.experiment?.variant;
        expect(variant === 'short' ? reply.text === 'Bye from variant B!' : reply.text !== 'Bye from variant B!').toBe(true);
        seen.set(key, [...(seen.get(key) ?? []), String(variant)]);
      }
    };
    await talk(new ScriptedCustomer(attune.url, connector, { userId: 'u-sticky', conversationId: `c-${randomUUID()}` }), 'known');
    await talk(new ScriptedCustomer(attune.url, connector, { userId: 'u-sticky', conversationId: `c-${randomUUID()}` }), 'known');
    for (let i = 0; i < 12; i++) await talk(new ScriptedCustomer(attune.url, connector), `anon-${i}`);

    for (const [, variants] of seen) expect(new Set(variants).size).toBe(1);
    expect(new Set([...seen.values()].map((v) => v[0]))).toEqual(new Set(['control', 'short']));

    // 14 conversations saw the experiment; each is counted once, in its variant.
    const results = await eventually(
      () => api('GET', `/api/content/experiments/${id}/results`, tokens.casey),
      (r) => (r.json.variants as { conversations: number }[]).reduce((s, v) => s + v.conversations, 0) === 14,
    );
    const variants = results.json.variants as { variantId: string; conversations: number; escalation: { trials: number; low: number; high: number } }[];
    const expected = (variant: string) => [...seen.entries()].reduce((n, [key, v]) => n + (v[0] === variant ? (key === 'known' ? 2 : 1) : 0), 0);
    expect(variants.map((v) => [v.variantId, v.conversations])).toEqual([['control', expected('control')], ['short', expected('short')]]);
    expect(variants[1].escalation.trials).toBe(expected('short'));
    expect(variants[1].escalation.high).toBeGreaterThan(variants[1].escalation.low);

    const insights = (await api('GET', '/api/insights?days=7', tokens.sam)).json as { experiments: { experiment: { id: string } }[]; totals: { conversations: number } };
    expect(insights.experiments.map((e) => e.experiment.id)).toContain(id);
    expect(insights.totals.conversations).toBeGreaterThanOrEqual(14);

    expect((await api('POST', `/api/content/experiments/${id}/stop`, tokens.casey)).json.status).toBe('stopped');
    const [afterStop] = await new ScriptedCustomer(attune.url, connector).say('bye');
    expect(attuneOf(afterStop)?.experiment).toBeUndefined();
  });

  it('reports what the guardrail would stop without stopping anything: reading results changes no state', async () => {
    const created = await api('POST', '/api/content/experiments', tokens.casey, {
      name: 'Blunt help',
      target: 'help',
      controlVariantId: 'control',
      variants: [{ id: 'control', weight: 1 }, { id: 'blunt', weight: 1, text: '- What.' }],
    });
    const id = String(created.json.id);
    expect((await api('POST', `/api/content/experiments/${id}/start`, tokens.casey)).status).toBe(200);
    // 30 conversations per arm (the guardrail's minimum); half of the variant's escalated in frustration.
    for (let i = 0; i < 30; i++) {
      for (const variantId of ['control', 'blunt']) {
        const conversationId = `guardrail-${variantId}-${i}`;
        await attune.store.experiments.recordExposure({ experimentId: id, variantId, conversationId, audienceKey: conversationId, at: new Date() });
        if (variantId === 'blunt' && i % 2 === 0) await attune.store.escalations.create(anEscalation({ id: `guardrail-esc-${i}`, conversationId, trigger: 'frustration', status: 'resolved' }));
      }
    }
    const reads = [];
    for (const token of [tokens.casey, tokens.sam]) reads.push(await api('GET', `/api/content/experiments/${id}/results`, token));
    expect((await api('GET', '/api/insights?days=7', tokens.sam)).status).toBe(200);
    // Nothing was stopped by reading, in the store or in what the reads answered...
    const experiment = (await api('GET', `/api/content/experiments/${id}`, tokens.casey)).json as { status: string; variants: { stoppedAt?: string }[] };
    expect(experiment.status).toBe('running');
    expect(experiment.variants.map((v) => v.stoppedAt)).toEqual([undefined, undefined]);
    for (const results of reads) {
      expect(results.status).toBe(200);
      expect((results.json.variants as { stopped?: unknown }[]).map((v) => v.stopped)).toEqual([undefined, undefined]);
      // ...and each read says what the background guardrail will do.
      expect((results.json.guardrail as { wouldStop: { variantId: string }[] }).wouldStop.map((v) => v.variantId)).toEqual(['blunt']);
    }
    expect((await api('POST', `/api/content/experiments/${id}/stop`, tokens.casey)).status).toBe(200);
  });

  it('exports insights as CSV', async () => {
    const response = await fetch(`${attune.url}/api/insights.csv?days=7`, { headers: { authorization: `Bearer ${tokens.casey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await response.text()).split('\r\n')[0]).toBe('section,key,metric,value,low,high');
  });
});

describe('content published on one instance reaches customers on another (MongoDB + Redis)', () => {
  const connector = new FakeConnector();
  let mongo: JongodbServer;
  let prefix: string;
  let env: Record<string, string>;
  const instances: RunningAttune[] = [];
  const apiA = jsonApi(() => instances[0].url);

  beforeAll(async () => {
    await requireRedis();
    await connector.start();
    mongo = await startJongodb();
    prefix = randomQueuePrefix();
    env = { PORT: '0', HOST: '127.0.0.1', MONGODB_URI: mongo.uri, MONGODB_DB: `content_${randomUUID().slice(0, 8)}`, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, BUSINESS_HOURS: '00:00-24:00' };
    for (let i = 0; i < 2; i++) instances.push(await startAttune(loadConfig(env, ROOT), logger, { recognizer }));
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await connector.stop();
    await mongo?.stop();
    if (prefix) await deleteKeys(prefix);
  });

  it('switches instance B within seconds, and a new instance starts on the published version', async () => {
    const token = await signIn(instances[0], apiA, 'casey', 'content');
    const customerOnB = new ScriptedCustomer(instances[1].url, connector);
    expect((await customerOnB.say('hello'))[0].text).not.toMatch(/^Across instances/);
    const published = await apiA('POST', '/api/content/versions', token, { ...(await withGreeting(apiA, token, 'Across instances')), note: 'cross' });
    expect(published.status).toBe(201);
    const started = Date.now();
    let text = '';
    while (Date.now() - started < 5000 && !/^Across instances/.test(text)) {
      text = (await customerOnB.say('hello'))[0].text ?? '';
    }
    expect(text).toMatch(/^Across instances/);

    instances.push(await startAttune(loadConfig(env, ROOT), logger, { recognizer }));
    expect((await new ScriptedCustomer(instances[2].url, connector).say('hello'))[0].text).toMatch(/^Across instances/);
  });
});
