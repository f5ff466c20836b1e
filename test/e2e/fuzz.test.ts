/**
 * Hostile input against a real `node dist/index.js`: thousands of malformed activities and staff
 * sign-in bodies from a seeded generator (wrong types, huge and deep JSON, unicode edge cases,
 * prototype-pollution keys, bad content types, oversize bodies). Every answer must be a 4xx or a
 * handled 2xx, never a 5xx; the process must stay up and keep answering customers; its heap
 * (read from its own /metrics) must not keep growing.
 *
 * The seed is printed on failure: FUZZ_SEED=<n> replays the same inputs.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../core/seeded-random';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { FakeConnector } from '../support/fake-connector';
import { sampleValue } from '../support/prometheus-text';

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const ACTIVITY_CASES = Number(process.env.FUZZ_ACTIVITIES ?? 2500);
const LOGIN_CASES = Number(process.env.FUZZ_LOGINS ?? 500);
const CONCURRENCY = 8;

type Random = () => number;

interface FuzzRequest {
  readonly route: string;
  readonly contentType?: string;
  readonly body: string | Buffer;
  /** What kind of input it was, for the failure report. */
  readonly kind: string;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Strings that have broken parsers, databases, regexes and terminals somewhere. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u202e\u0645\u0631\u062d\u0628\u0627', // right-to-left override
  '\u200b\u200c\u200d\ufeff', // zero-width characters and BOM
  'e\u0301'.repeat(500), // combining marks
  '👩‍👩‍👧‍👦🏳️‍🌈'.repeat(200), // ZWJ emoji sequences
  'Z̴̡̢̛͖͓̫̰̈́̈́͗̌a̵̧̛̪̰̓̀l̸̨̛̦̈́g̶̡̛̗̓o̵̢̓',
  '$where: 1 == 1',
  '{"$gt": ""}',
  "'; DROP TABLE turns; --",
  '<script>alert(1)</script>',
  '${process.exit(1)}',
  '{{constructor.constructor("return process")()}}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  'A'.repeat(10_001), // just over the text limit
  'B'.repeat(200_000), // under the body limit, far over the text limit
  '1e309',
  'NaN',
  '-0',
];

function nastyValue(random: Random, depth = 0): unknown {
  switch (Math.floor(random() * 12)) {
    case 0:
      return pick(random, NASTY_STRINGS);
    case 1:
      return Math.floor(random() * 2 ** 53) * (random() < 0.5 ? -1 : 1);
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return depth > 3 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => nastyValue(random, depth + 1));
    case 5:
      return depth > 3 ? {} : { id: nastyValue(random, depth + 1), name: nastyValue(random, depth + 1) };
    case 6:
      return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
    case 7:
      return 1.5e308;
    default:
      return `fuzz-${Math.floor(random() * 1e6)}`;
  }
}

/** A plausible activity, then a few of its fields replaced by hostile values or removed. */
function hostileActivity(random: Random, serviceUrl: string, n: number): Record<string, unknown> {
  const activity: Record<string, unknown> = {
    type: pick(random, ['message', 'message', 'message', 'conversationUpdate', 'event', 'invoke', 'typing', 'endOfConversation', 'messageReaction', 'installationUpdate', 'handoff', 'trace', 'x-unknown']),
    id: `fuzz-${n}`,
    channelId: pick(random, ['webchat', 'msteams', 'emulator', 'directline', 'sms', 'made-up']),
    serviceUrl: pick(random, [serviceUrl, serviceUrl, serviceUrl, 'not a url', 'javascript:alert(1)', 'http://127.0.0.1:1/']),
    conversation: { id: `fuzz-conv-${Math.floor(random() * 400)}` },
    from: { id: `fuzz-user-${Math.floor(random() * 400)}` },
    recipient: { id: 'bot' },
    text: pick(random, NASTY_STRINGS),
    locale: pick(random, ['en-GB', 'xx', '', 'en-GB-x-'.repeat(10), 'ar-EG']),
    timestamp: pick(random, [new Date().toISOString(), 'yesterday', '']),
    localTimestamp: pick(random, ['2026-12-04T23:59:59+14:00', 'not-a-date', '']),
  };
  const fields = ['type', 'id', 'channelId', 'serviceUrl', 'conversation', 'from', 'recipient', 'text', 'locale', 'value', 'channelData', 'entities', 'attachments', 'membersAdded', 'suggestedActions', 'deliveryMode', 'name', 'replyToId'];
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    const field = pick(random, fields);
    if (random() < 0.2) delete activity[field];
    else activity[field] = nastyValue(random);
  }
  if (random() < 0.1) activity.deliveryMode = 'expectReplies';
  return activity;
}

function deepJson(depth: number, random: Random): string {
  const open = random() < 0.5 ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + '1' + close.repeat(depth);
}

function hostileRequest(random: Random, serviceUrl: string, n: number): FuzzRequest {
  const route = '/api/messages';
  const roll = random();
  if (roll < 0.6) return { route, kind: 'hostile activity', contentType: 'application/json', body: JSON.stringify(hostileActivity(random, serviceUrl, n)) };
  if (roll < 0.67) return { route, kind: 'deep JSON', contentType: 'application/json', body: deepJson(pick(random, [100, 1000, 20_000, 100_000]), random) };
  if (roll < 0.72) return { route, kind: 'prototype keys', contentType: 'application/json', body: `{"type":"message","id":"p${n}","channelId":"webchat","serviceUrl":"${serviceUrl}","conversation":{"id":"proto"},"from":{"id":"u"},"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}}}` };
  if (roll < 0.78) return { route, kind: 'broken JSON', contentType: 'application/json', body: pick(random, ['{', '{"type":', 'null', '"string"', '42', '[]', '{"a":1,}', '\u0000', '{"text":"\\ud800"}', '\ufeff{}']) };
  if (roll < 0.84) return { route, kind: 'wrong content type', contentType: pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '']), body: 'type=message&text=hello' };
  if (roll < 0.87) return { route, kind: 'oversize body', contentType: 'application/json', body: `{"text":"${'x'.repeat(300 * 1024)}"}` };
  if (roll < 0.9) return { route, kind: 'random bytes', contentType: 'application/json', body: Buffer.from(Array.from({ length: 64 + Math.floor(random() * 512) }, () => Math.floor(random() * 256))) };
  return { route, kind: 'unicode activity', contentType: 'application/json; charset=utf-8', body: JSON.stringify({ ...hostileActivity(random, serviceUrl, n), serviceUrl, type: 'message', text: pick(random, NASTY_STRINGS.slice(0, 12)) }) };
}

function hostileLogin(random: Random): FuzzRequest {
  const route = '/api/agent/login';
  const roll = random();
  if (roll < 0.7) {
    const body: Record<string, unknown> = { name: nastyValue(random), password: nastyValue(random) };
    if (random() < 0.3) delete body[pick(random, ['name', 'password'])];
    return { route, kind: 'hostile login', contentType: 'application/json', body: JSON.stringify(body) };
  }
  if (roll < 0.8) return { route, kind: 'deep login JSON', contentType: 'application/json', body: deepJson(pick(random, [1000, 50_000]), random) };
  if (roll < 0.9) return { route, kind: 'login prototype keys', contentType: 'application/json', body: '{"name":"x","password":"y","__proto__":{"role":"supervisor"}}' };
  return { route, kind: 'login wrong type', contentType: pick(random, ['text/plain', '']), body: 'name=admin&password=admin' };
}

describe('fuzzing /api/messages and /api/agent/login', () => {
  const connector = new FakeConnector();
  let dataDir: string;
  let attune: AttuneProcess;

  beforeAll(async () => {
    await connector.start();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-fuzz-'));
    attune = await startAttuneProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  });

  afterAll(async () => {
    await attune?.stop();
    await connector.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function send(request: FuzzRequest): Promise<number> {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined && request.contentType !== '') headers['content-type'] = request.contentType;
    const response = await fetch(`${attune.url}${request.route}`, { method: 'POST', headers, body: request.body });
    await response.arrayBuffer();
    return response.status;
  }

  async function heapUsedBytes(): Promise<number> {
    const text = await (await fetch(`${attune.url}/metrics`)).text();
    return sampleValue(text, 'nodejs_heap_size_used_bytes') ?? Number.NaN;
  }

  it(
    'never answers with a 5xx, stays up, and keeps its heap bounded',
    async () => {
      const random = seededRandom(SEED);
      const requests: FuzzRequest[] = [
        ...Array.from({ length: ACTIVITY_CASES }, (_, n) => hostileRequest(random, connector.url, n)),
        ...Array.from({ length: LOGIN_CASES }, () => hostileLogin(random)),
      ];
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      let heapAfterWarmup = 0;
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const n = next++;
          const request = requests[n]!;
          const status = await send(request).catch((error: unknown) => {
            failures.push(`#${n} ${request.kind}: request failed: ${error instanceof Error ? error.message : String(error)}`);
            return 0;
          });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          // Invokes included: one the bot does not handle is acknowledged (200), never botbuilder's 501.
          if (status >= 500) failures.push(`#${n} ${request.kind} → ${status}: ${String(request.body).slice(0, 300)}`);
          if (n === 500) heapAfterWarmup = await heapUsedBytes();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const heapAtEnd = await heapUsedBytes();
      process.stdout.write(`fuzz seed ${SEED}: ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, heap used ${(heapAfterWarmup / 2 ** 20).toFixed(1)} MB after 500 → ${(heapAtEnd / 2 ** 20).toFixed(1)} MB at the end\n`);

      expect({ seed: SEED, failures: failures.slice(0, 20) }).toEqual({ seed: SEED, failures: [] });
      expect(attune.child.exitCode).toBeNull();
      expect((await fetch(`${attune.url}/healthz`)).status).toBe(200);
      // Bounded: the heap may breathe with garbage collection, but thousands of hostile requests must not pile up.
      expect(heapAtEnd - heapAfterWarmup).toBeLessThan(64 * 2 ** 20);

      // Still a working bot for a real customer.
      const hello = await fetch(`${attune.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', id: 'after-fuzz', text: 'hello', channelId: 'webchat', serviceUrl: connector.url, conversation: { id: 'after-fuzz' }, from: { id: 'u' }, recipient: { id: 'bot' } }),
      });
      expect(hello.status).toBe(200);
      expect((await connector.waitFor('after-fuzz', 1)).length).toBeGreaterThan(0);
    },
    300_000,
  );

  it('acknowledges Teams invokes the bot does not handle with 200, not 501', async () => {
    const statuses: Record<string, number> = {};
    for (const [name, value] of [['adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'x' } }], ['adaptiveCard/action', {}], ['task/fetch', { data: {} }], ['composeExtension/query', {}], ['signin/verifyState', { state: '1' }]] as const) {
      const activity = { type: 'invoke', name, value, id: `invoke-${name}`, channelId: 'msteams', serviceUrl: connector.url, conversation: { id: 'invokes' }, from: { id: 'u' }, recipient: { id: 'bot' } };
      const response = await fetch(`${attune.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      await response.arrayBuffer();
      statuses[`${name} ${JSON.stringify(value)}`] = response.status;
    }
    expect(statuses).toEqual(Object.fromEntries(Object.keys(statuses).map((key) => [key, 200])));
  });

  it('did not let prototype-pollution keys through to the process', async () => {
    const probe = await fetch(`${attune.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"name":"admin","password":"x"}}' });
    expect(probe.status).toBe(400); // name and password were dropped with the key, not inherited
  });
});
