import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_REDIS_URL, deleteKeys, randomQueuePrefix, requireRedis } from '../support/redis';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

// A queue must never keep its process alive once closed (or, in process, at all: its timers are
// unref'd). Each case runs a real Node process and checks that it ends by itself, long before a
// pending 60-second timer would be due.

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');
const EXIT_WITHIN_MS = 10_000;

interface Outcome {
  readonly exitedByItself: boolean;
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs `script` (CommonJS; the TypeScript sources load as they are) and waits for the process to
 * end by itself. When its output first reads `ready`, `whenReady` runs and then the child's stdin
 * is closed, which is the script's cue to go on.
 */
function runNode(script: string, env: Record<string, string> = {}, whenReady?: () => Promise<void>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './test/support/register-ts.js', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let cued = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (cued || !output.includes('ready\n')) return;
      cued = true;
      void (whenReady?.() ?? Promise.resolve()).then(() => child.stdin.end(), reject);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, EXIT_WITHIN_MS);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ exitedByItself: !killed, code, output });
    });
  });
}

const PRELUDE = `
const pino = require('pino');
const { InProcessAgentQueue } = require('./escalation/queue/in-process-agent-queue');
const { BullMqAgentQueue } = require('./escalation/queue/bullmq-agent-queue');
const logger = pino({ level: 'silent' });
const chat = { escalationId: 'esc-1', pool: 'apprentice', priority: 10, enqueuedAt: Date.now() };
const fail = (error) => { console.error(error); process.exit(1); };
`;

describe('AgentQueue and the process it runs in', () => {
  it('in process: pending timers do not keep the process alive, even without close()', async () => {
    const outcome = await runNode(`${PRELUDE}
      const queue = new InProcessAgentQueue({ logger });
      queue.onTimer(async () => console.log('delivered'));
      queue.enqueue(chat)
        .then(() => queue.schedule('sla', 'esc-1', Date.now() + 60000))
        .then(() => console.log('scheduled'), fail);
      process.stdin.destroy();
    `);
    expect(outcome).toEqual({ exitedByItself: true, code: 0, output: 'scheduled\n' });
  });

  describe('on Redis', () => {
    const prefix = randomQueuePrefix();
    beforeAll(async () => {
      await requireRedis();
    });
    afterAll(async () => {
      await deleteKeys(prefix);
    });

    it('close() leaves nothing running: the process ends by itself', async () => {
      const outcome = await runNode(
        `${PRELUDE}
        (async () => {
          const queue = new BullMqAgentQueue({ connection: process.env.QUEUE_URL, prefix: process.env.QUEUE_PREFIX, logger });
          await queue.ready();
          queue.onTimer(async () => console.log('delivered'));
          await queue.enqueue(chat);
          await queue.schedule('sla', 'esc-1', Date.now() + 60000);
          await queue.schedule('abandon', 'esc-1', Date.now());
          await new Promise((resolve) => setTimeout(resolve, 300));
          console.log('took', (await queue.takeNext(['apprentice'])).escalationId);
          await queue.close();
          console.log('closed');
          process.stdin.destroy();
        })().catch(fail);
      `,
        { QUEUE_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
      );
      expect(outcome).toEqual({ exitedByItself: true, code: 0, output: 'delivered\ntook esc-1\nclosed\n' });
    });
  });

  it('a queue that could not reach Redis at start leaves nothing running', async () => {
    const outcome = await runNode(`${PRELUDE}
      const { createAgentQueue } = require('./escalation/queue/create-agent-queue');
      createAgentQueue({ redisUrl: 'redis://127.0.0.1:1', connectTimeoutMs: 300, logger })
        .then(() => console.log('opened?'), (error) => console.log(error.code));
      process.stdin.destroy();
    `);
    expect(outcome).toEqual({ exitedByItself: true, code: 0, output: 'ATTUNE_STORAGE_UNAVAILABLE\n' });
  });

  describe('on a Redis that goes down', () => {
    let redis: PrivateRedis | undefined;
    beforeAll(async () => {
      redis = await startPrivateRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('close() does not wait for Redis to come back', async () => {
      if (redis === undefined) throw new Error('the private Redis did not start');
      const server = redis;
      const outcome = await runNode(
        `${PRELUDE}
        (async () => {
          const queue = new BullMqAgentQueue({ connection: process.env.QUEUE_URL, prefix: 'exit-test', logger });
          await queue.ready();
          queue.onTimer(async () => undefined);
          await queue.enqueue(chat);
          await queue.schedule('sla', 'esc-1', Date.now() + 60000);
          console.log('ready');
          process.stdin.on('data', () => undefined).once('end', () => {
            queue.close().then(() => console.log('closed'), fail);
          });
        })().catch(fail);
      `,
        { QUEUE_URL: server.url },
        async () => {
          await server.kill();
          await new Promise((resolve) => setTimeout(resolve, 300)); // the queue notices the outage
        },
      );
      expect(outcome).toEqual({ exitedByItself: true, code: 0, output: 'ready\nclosed\n' });
    });

    it('close() ends even when Redis goes down while it waits for a running timer handler', async () => {
      if (redis === undefined) throw new Error('the private Redis did not start');
      const server = redis;
      await server.start();
      const outcome = await runNode(
        `${PRELUDE}
        (async () => {
          const queue = new BullMqAgentQueue({ connection: process.env.QUEUE_URL, prefix: 'exit-test-2', logger, closeTimeoutMs: 1000 });
          await queue.ready();
          const cue = new Promise((resolve) => process.stdin.on('data', () => undefined).once('end', resolve));
          queue.onTimer(async () => {
            console.log('ready');
            queue.close().then(() => console.log('closed'), fail); // waits for this handler
            await cue;
          });
          await queue.schedule('sla', 'esc-1', Date.now());
        })().catch(fail);
      `,
        { QUEUE_URL: server.url },
        async () => {
          await server.kill();
          await new Promise((resolve) => setTimeout(resolve, 300));
        },
      );
      expect(outcome).toEqual({ exitedByItself: true, code: 0, output: 'ready\nclosed\n' });
    });
  });
});
