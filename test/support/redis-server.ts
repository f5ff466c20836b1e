import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireRedis } from './redis';

/** The redis-server binary (REDIS_SERVER_BIN, else the one on PATH). */
const BINARY = process.env.REDIS_SERVER_BIN !== undefined && process.env.REDIS_SERVER_BIN !== '' ? process.env.REDIS_SERVER_BIN : 'redis-server';

/**
 * A Redis server of the test's own, on 127.0.0.1 and a free port, with an append-only file in a
 * temporary directory, so that a test can kill and restart it (as a crash and a restart would)
 * without touching the shared Redis other tests use, and find its data again.
 */
export interface PrivateRedis {
  readonly url: string;
  /** Kills the server at once (SIGKILL, like a crash): clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers. */
  start(): Promise<void>;
  /**
   * Stops the server without closing anything (SIGSTOP), as a hung host or a network partition
   * would: connections stay open, writes are accepted by the kernel, and nothing is answered.
   */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT): it answers what was sent meanwhile. */
  thaw(): void;
  /** Kills it and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'attune-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    const args = ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
    const started = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-2000)));
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-2000)));
    const failed = new Promise<never>((_, reject) => {
      started.once('error', (error) => reject(new Error(`Could not start ${BINARY} (set REDIS_SERVER_BIN?): ${error.message}`)));
      started.once('exit', (code) => reject(new Error(`${BINARY} exited with code ${code}:\n${output}`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await Promise.race([requireRedis(url, 500), failed]);
        return;
      } catch (error) {
        if (Date.now() > deadline || started.exitCode !== null || started.signalCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) throw new Error('the private Redis is not running');
    child.kill(name);
  };

  await start();
  return {
    url,
    kill,
    start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on right now (the OS picks it; the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
