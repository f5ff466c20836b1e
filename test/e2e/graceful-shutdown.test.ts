/**
 * SIGTERM while a turn is in flight, on a real `node dist/index.js`: the turn completes and its
 * reply is delivered, new requests are refused, the queue, event bus and store are closed (the
 * embedded store's lock file is gone), and the process exits with code 0 within a bound. Run on
 * the in-process queue and on BullMQ/Redis, whose connections must not keep the process alive.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE_NAME } from '../../storage/embedded/data-dir-lock';
import { startAttuneProcess, type AttuneProcess } from '../support/attune-process';
import { deleteKeys, randomQueuePrefix, requireRedis, TEST_REDIS_URL } from '../support/redis';

/** How long the connector holds the in-flight turn's reply: SIGTERM arrives meanwhile. */
const HOLD_MS = 1500;
/** A clean shutdown must not take longer than this (orchestrators kill after ~30 s). */
const EXIT_WITHIN_MS = 15_000;

/** A connector that holds every reply to `slow-conversation` for HOLD_MS, and records all replies. */
async function startSlowConnector(): Promise<{ url: string; replies: { conversation: string; text?: string }[]; held: Promise<void>; close(): Promise<void> }> {
  const replies: { conversation: string; text?: string }[] = [];
  let announceHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (announceHeld = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '');
      const answer = () => {
        replies.push({ conversation, text: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string }).text });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"r"}');
      };
      if (conversation !== 'slow-conversation') return answer();
      announceHeld();
      setTimeout(answer, HOLD_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replies,
    held,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function activity(serviceUrl: string, conversation: string, id: string): string {
  return JSON.stringify({ type: 'message', id, text: 'hello', channelId: 'webchat', serviceUrl, conversation: { id: conversation }, from: { id: `user-${conversation}` }, recipient: { id: 'bot' } });
}

describe.each([
  ['the in-process queue', false],
  ['BullMQ on Redis', true],
])('graceful shutdown with %s', (_name, useRedis) => {
  let dataDir: string;
  let attune: AttuneProcess;
  let connector: Awaited<ReturnType<typeof startSlowConnector>>;
  const prefix = randomQueuePrefix();

  beforeAll(async () => {
    if (useRedis) await requireRedis();
    connector = await startSlowConnector();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-shutdown-'));
    attune = await startAttuneProcess({ DATA_DIR: dataDir, ...(useRedis ? { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix } : {}) });
  });

  afterAll(async () => {
    await attune?.stop('SIGKILL');
    await connector?.close();
    if (useRedis) await deleteKeys(prefix);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('finishes the turn in flight, refuses new requests, closes everything and exits 0', async () => {
    const post = (conversation: string, id: string) =>
      fetch(`${attune.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity(connector.url, conversation, id) });
    expect((await post('warm-up', 'w1')).status).toBe(200); // the bot is up and answering
    await fs.access(path.join(dataDir, LOCK_FILE_NAME)); // the store holds its lock while running

    const inFlight = post('slow-conversation', 's1');
    await connector.held; // the turn is now waiting on its reply
    const exited = new Promise<{ code: number | null; afterMs: number }>((resolve) => {
      const signalledAt = Date.now();
      attune.child.once('exit', (code) => resolve({ code, afterMs: Date.now() - signalledAt }));
    });
    attune.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // New requests are refused while the turn in flight finishes.
    const late = await post('late-conversation', 'l1').then(
      (response) => response.status,
      () => 'refused' as const,
    );
    expect(late === 'refused' || late === 503).toBe(true);

    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(connector.replies.filter((r) => r.conversation === 'slow-conversation').length).toBeGreaterThan(0);
    expect(connector.replies.some((r) => r.conversation === 'late-conversation')).toBe(false);

    const { code, afterMs } = await exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(EXIT_WITHIN_MS);
    await expect(fs.access(path.join(dataDir, LOCK_FILE_NAME))).rejects.toThrow(); // store closed: lock released
  });
});
