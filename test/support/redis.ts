import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/**
 * The Redis the tests use: REDIS_URL, or the local default. This project's CI always has Redis,
 * so its lanes always run; an unreachable Redis fails them (it never skips them).
 */
export const TEST_REDIS_URL = process.env.REDIS_URL !== undefined && process.env.REDIS_URL !== '' ? process.env.REDIS_URL : 'redis://127.0.0.1:6379';

/** A key prefix no other test or run uses. */
export function randomQueuePrefix(): string {
  return `attune-test-${randomBytes(6).toString('hex')}`;
}

/** Resolves if Redis at `url` answers PING within `timeoutMs`; rejects with a message naming REDIS_URL otherwise. */
export async function requireRedis(url = TEST_REDIS_URL, timeoutMs = 3000): Promise<void> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined); // the rejected connect() reports it
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Redis is not reachable at ${url} (REDIS_URL${process.env.REDIS_URL ? '' : ' is unset, so the default'}): ${why}. ` +
        'The Redis lanes need it: start redis-server on 127.0.0.1:6379 or set REDIS_URL.',
    );
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Deletes every key under `prefix:` (what one test's queues wrote). */
export async function deleteKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  } finally {
    client.destroy();
  }
}
