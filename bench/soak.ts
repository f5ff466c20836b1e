/**
 * Soak: memory per active conversation, and RSS and heap while 100,000 turns go through
 * POST /api/messages, printed every 10,000 turns, to show that memory levels off rather than
 * growing with every turn. The bot runs in this process (its memory is this process's memory; the
 * load generator adds little) and replies go to a local fake connector.
 *
 *   npm run build && node --expose-gc dist/bench/soak.js
 *
 * Storage: MONGODB_URI when set, which shows the bot's own memory. Otherwise the embedded store,
 * whose turn records (the data that grows with every message) are in files, not in memory; its
 * other collections (nedb) are in memory, and grow with the number of conversations and customers,
 * not of turns. The run prints the size of a stored turn record to compare growth with. (The MongoDB-compatible test
 * server of the test suites scans its collections, so it slows to a few turns per second long
 * before 100k turns: not usable here.) REDIS_URL is used when set. Settings: SOAK_TURNS (100000),
 * SOAK_CONVERSATIONS (2000), SOAK_CONCURRENCY (16), SOAK_REPORT_EVERY (10000).
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/app-config';
import { startAttune, type RunningAttune } from '../index';
import { messageActivity, postMessage, startAcceptingConnector } from './bench-http';

const TURNS = Number(process.env.SOAK_TURNS ?? 100_000);
const CONVERSATIONS = Number(process.env.SOAK_CONVERSATIONS ?? 2000);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const REPORT_EVERY = Number(process.env.SOAK_REPORT_EVERY ?? 10_000);
const ROOT = path.resolve(__dirname, '..', '..');
/** A conversation that runs a dialog, answers and small talk, and never needs a person. */
const SCRIPT = ['hello', "my card hasn't arrived", 'More than a week ago', 'no', 'what exchange rate do you use?', 'my top-up failed', 'With a card', 'thanks'];

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after a full collection when --expose-gc is given (otherwise as it is). */
function settledHeap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const connector = await startAcceptingConnector();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-soak-'));
  let attune: RunningAttune | undefined;
  try {
    const config = loadConfig(
      { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', CONVERSATION_RATE_LIMIT_PER_MINUTE: '0' },
      ROOT,
    );
    attune = await startAttune(config, pino({ level: 'silent' }));
    const storage = `${attune.store.kind} storage, ${config.redisUrl ? 'Redis' : 'in-process'} queue`;
    console.log(`Soak: ${TURNS} turns over ${CONVERSATIONS} conversations, ${CONCURRENCY} at once; ${storage}; gc ${gc ? 'exposed' : 'NOT exposed (run with --expose-gc for settled heap figures)'}`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const turnsSent = new Array<number>(CONVERSATIONS).fill(0);
    const sendTurn = (conversation: number) => {
      const i = turnsSent[conversation]!++;
      return postMessage(agent, attune!.url, messageActivity(`soak-${conversation}`, `${conversation}-${i}`, SCRIPT[i % SCRIPT.length]!, connector.url));
    };

    // Warm up on other conversations, so models, caches and JIT are in place before the baseline.
    await runTurns(CONCURRENCY * 20, (n) => sendTurn(n % CONCURRENCY));
    const baseline = settledHeap();
    await runTurns(CONVERSATIONS, (n) => sendTurn(n));
    const withConversations = settledHeap();
    console.log(`\nmemory per active conversation: ${((withConversations - baseline) / CONVERSATIONS / 1024).toFixed(1)} KB (heap ${mb(baseline)} → ${mb(withConversations)} MB for ${CONVERSATIONS} conversations${attune.store.kind === 'embedded' ? ', including the embedded store’s in-memory documents (conversation, bot state)' : ''})\n`);

    console.log('| turns | turns/s | RSS MB | heap used MB | heap total MB |');
    console.log('| ---: | ---: | ---: | ---: | ---: |');
    const began = Date.now();
    let lastReport = began;
    const heapAt: number[] = [];
    await runTurns(TURNS, (n) => sendTurn(n % CONVERSATIONS), (done) => {
      if (done % REPORT_EVERY !== 0) return;
      const now = Date.now();
      const heap = settledHeap();
      heapAt.push(heap);
      const { rss, heapTotal } = process.memoryUsage();
      console.log(`| ${done} | ${(REPORT_EVERY / ((now - lastReport) / 1000)).toFixed(0)} | ${mb(rss)} | ${mb(heap)} | ${mb(heapTotal)} |`);
      lastReport = now;
    });
    agent.destroy();
    if (heapAt.length >= 4) {
      const half = Math.floor(heapAt.length / 2);
      const growth = heapAt[heapAt.length - 1]! - heapAt[half - 1]!;
      console.log(`\nheap growth over the second half of the run: ${mb(growth)} MB (${((growth / ((heapAt.length - half) * REPORT_EVERY)) * 1000).toFixed(0)} bytes per 1000 turns)`);
    }
    console.log(`total: ${TURNS} turns in ${((Date.now() - began) / 1000).toFixed(0)} s`);
    const sample = await attune.store.turns.listByConversation('webchat:soak-0', 1000);
    const bytesPerRecord = sample.reduce((sum, turn) => sum + Buffer.byteLength(JSON.stringify(turn)), 0) / Math.max(1, sample.length);
    const recordsPerTurn = sample.length / Math.max(1, turnsSent[0]!);
    console.log(`stored turn records: ${recordsPerTurn.toFixed(1)} per customer turn, ${bytesPerRecord.toFixed(0)} bytes each as JSON (${attune.store.kind === 'embedded' ? 'in the embedded store’s turn files, not in memory' : 'kept in MongoDB, not in this process'})`);
  } finally {
    await attune?.close();
    connector.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs `count` turns, at most CONCURRENCY at once, calling `progress` after each. */
async function runTurns(count: number, turn: (n: number) => Promise<void>, progress: (done: number) => void = () => undefined): Promise<void> {
  let next = 0;
  let done = 0;
  // Each conversation takes one turn at a time (as a person would): CONVERSATIONS ≥ CONCURRENCY keeps them apart.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        await turn(next++);
        progress(++done);
      }
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
