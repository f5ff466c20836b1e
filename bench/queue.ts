/**
 * How soon an escalated chat becomes visible to agents, and how many chats the agent queue moves
 * per second, on both adapters: in-process, and BullMQ on the Redis at REDIS_URL (default
 * redis://127.0.0.1:6379). Target: p99 enqueue → visible under 50 ms on local Redis.
 *
 *   npm run build && node dist/bench/queue.js [escalations=2000]
 *
 * Producer and agent are two queue instances (two bot processes sharing Redis). Everything is
 * written under a random key prefix and deleted afterwards. The run stops by itself within 60 s.
 * Exit codes: 0 figures printed, 1 Redis unreachable, 2 the time limit was hit.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createClient } from 'redis';
import type { AgentQueue, WaitingChat } from '../escalation/queue/agent-queue';
import { BullMqAgentQueue } from '../escalation/queue/bullmq-agent-queue';
import { InProcessAgentQueue } from '../escalation/queue/in-process-agent-queue';
import type { AgentPool } from '../storage/ports';

const REDIS_URL = process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '' ? process.env.REDIS_URL : 'redis://127.0.0.1:6379';
const COUNT = Number(process.argv[2] ?? 2000);
const TIME_LIMIT_MS = 55_000;
const PRODUCERS = 32;
const AGENTS = 8;
const TARGET_P99_MS = 50;
const logger = pino({ level: 'warn' });

const startedAt = Date.now();
const outOfTime = (): boolean => Date.now() - startedAt > TIME_LIMIT_MS;

interface Row {
  readonly adapter: string;
  readonly metric: string;
  readonly samples: number[];
  readonly rate?: number;
}

async function main(): Promise<number> {
  if (!(Number.isInteger(COUNT) && COUNT > 0)) {
    console.error(`bench/queue: the number of escalations must be a positive integer, got ${process.argv[2]}`);
    return 1;
  }
  // Failsafe: whatever happens, the benchmark does not outlive its time limit by much.
  setTimeout(() => {
    console.error('bench/queue: stopped after 60 s');
    process.exit(2);
  }, 60_000).unref();

  const version = await redisVersion();
  if (version instanceof Error) {
    console.error(`bench/queue: Redis is not reachable at ${REDIS_URL} (REDIS_URL): ${version.message}`);
    return 1;
  }

  const rows: Row[] = [];
  const inProcess = new InProcessAgentQueue({ logger });
  rows.push(...(await measure('in-process', inProcess, inProcess)));
  await inProcess.close();

  const prefix = `attune-bench-${randomBytes(4).toString('hex')}`;
  const producer = new BullMqAgentQueue({ connection: REDIS_URL, prefix, logger });
  const agent = new BullMqAgentQueue({ connection: REDIS_URL, prefix, logger });
  try {
    await Promise.all([producer.ready(), agent.ready()]);
    rows.push(...(await measure('bullmq', producer, agent)));
  } finally {
    await Promise.all([producer.close(), agent.close()]);
    await deleteKeys(prefix);
  }

  console.log(`\nattune agent queue: ${COUNT} escalations per phase; Redis ${version} at ${REDIS_URL}; node ${process.version}\n`);
  printTable(rows);
  const visible = rows.find((row) => row.adapter === 'bullmq' && row.metric.startsWith('enqueue → listed'));
  const p99 = visible === undefined ? Number.NaN : percentile(visible.samples, 99);
  console.log(`\ntarget: p99 enqueue → visible < ${TARGET_P99_MS} ms on Redis: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'} (${p99.toFixed(2)} ms)`);
  if (outOfTime()) {
    console.error(`bench/queue: the time limit (${TIME_LIMIT_MS / 1000} s) cut a phase short; figures cover what ran`);
    return 2;
  }
  return 0;
}

/** Runs the three phases; `agent` is another instance on Redis, the same one in process. */
async function measure(adapter: string, producer: AgentQueue, agent: AgentQueue): Promise<Row[]> {
  const pool: AgentPool = 'apprentice';
  const chat = (id: string, priority = 10): WaitingChat => ({ escalationId: id, pool, priority, enqueuedAt: Date.now() });

  // 1. One chat at a time: enqueue, then the agent desk lists the pool until the chat shows.
  const listed: number[] = [];
  for (let i = 0; i < COUNT && !outOfTime(); i += 1) {
    const id = `listed-${i}`;
    const start = performance.now();
    await producer.enqueue(chat(id));
    while (!(await agent.waiting(pool, 50)).some((waiting) => waiting.escalationId === id)) {
      if (outOfTime()) break;
    }
    listed.push(performance.now() - start);
    await agent.remove(id);
  }

  // 2. One chat at a time: enqueue, then an agent takes the next chat, which must be this one.
  const taken: number[] = [];
  for (let i = 0; i < COUNT && !outOfTime(); i += 1) {
    const id = `taken-${i}`;
    const start = performance.now();
    await producer.enqueue(chat(id));
    const got = await agent.takeNext([pool]);
    if (got?.escalationId !== id) throw new Error(`expected ${id} to be taken, got ${got?.escalationId}`);
    taken.push(performance.now() - start);
  }

  // 3. Load: producers enqueue all chats (mixed priorities) while agents take them as they come.
  const enqueueCalls: number[] = [];
  const takeCalls: number[] = [];
  let next = 0;
  let takenCount = 0;
  let producing = true;
  const start = performance.now();
  const producers = Array.from({ length: PRODUCERS }, async () => {
    while (next < COUNT && !outOfTime()) {
      const id = `load-${next}`;
      next += 1;
      const callStart = performance.now();
      await producer.enqueue(chat(id, next % 7));
      enqueueCalls.push(performance.now() - callStart);
    }
  });
  const agents = Array.from({ length: AGENTS }, async () => {
    while ((producing || takenCount < next) && !outOfTime()) {
      const callStart = performance.now();
      const got = await agent.takeNext([pool]);
      takeCalls.push(performance.now() - callStart);
      if (got !== undefined) takenCount += 1;
    }
  });
  await Promise.all(producers);
  const enqueueSeconds = (performance.now() - start) / 1000;
  producing = false;
  await Promise.all(agents);
  const allSeconds = (performance.now() - start) / 1000;

  return [
    { adapter, metric: 'enqueue → listed by waiting() (1 at a time)', samples: listed },
    { adapter, metric: 'enqueue → taken by takeNext() (1 at a time)', samples: taken },
    { adapter, metric: `enqueue call under load (${PRODUCERS} producers)`, samples: enqueueCalls, rate: enqueueCalls.length / enqueueSeconds },
    { adapter, metric: `takeNext call under load (${AGENTS} agents)`, samples: takeCalls, rate: takenCount / allSeconds },
  ];
}

function printTable(rows: readonly Row[]): void {
  const header = ['adapter', 'metric', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'chats/s'];
  const lines = rows.map((row) => [
    row.adapter,
    row.metric,
    String(row.samples.length),
    ...[50, 95, 99, 100].map((p) => percentile(row.samples, p).toFixed(2)),
    row.rate === undefined ? '' : row.rate.toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: readonly string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The server's version, or the error that kept us from reaching it. */
async function redisVersion(): Promise<string | Error> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => undefined); // the rejected connect() reports it
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench/queue failed:', error);
    process.exitCode = 1;
  },
);
