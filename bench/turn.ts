/**
 * Full-turn throughput and latency of attune through POST /api/messages, against a bare
 * botbuilder echo bot measured in the same run on the same machine. Both run as their own
 * processes; replies go to a local fake connector; 16 conversations talk at once.
 *
 *   npm run bench:turn   (after a build; set REDIS_URL / MONGODB_URI to measure those backends)
 *
 * Targets: attune ≥ 70% of the echo bot's turns per second, p99 ≤ 2× the echo bot's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { messageActivity, postMessage, startAcceptingConnector, type AcceptingConnector } from './bench-http';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 3000);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10000);
const ROOT = path.resolve(__dirname, '..', '..');

/** A conversation attune handles without escalating: a dialog, answers, small talk. */
const SCRIPT = ['hello', "my card hasn't arrived", 'More than a week ago', 'no', 'what exchange rate do you use?', 'my top-up failed', 'With a card', 'thanks'];

interface Measured {
  readonly name: string;
  readonly turns: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly rssMb: number;
  /** CPU time (user + system) the bot process spent per measured turn: steadier than turns/s on a busy machine. */
  readonly cpuMsPerTurn: number;
  /** CPU time of the bot's main thread (its event loop) per measured turn: what bounds its turns per second. */
  readonly mainThreadCpuMsPerTurn: number;
  /** CPU time this process (the load client and the fake connector) spent per measured turn. */
  readonly clientCpuMsPerTurn: number;
  /** Activities the bot sent to the connector per measured turn (each one an HTTP call of its own). */
  readonly repliesPerTurn: number;
  /** Embedded storage only: documents and bytes appended to the data files per measured turn. */
  readonly written?: { readonly docsPerTurn: number; readonly bytesPerTurn: number };
}

async function main(): Promise<void> {
  const connector = await startAcceptingConnector();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-bench-'));
  try {
    const echo = await measure('echo bot (botbuilder + restify)', path.join(ROOT, 'dist', 'bench', 'echo-bot.js'), {}, connector);
    // Each benchmark conversation sends far more than a person types: the per-conversation rate
    // limit is raised out of the way but stays installed, so its cost is still measured.
    const rateLimit = { CONVERSATION_RATE_LIMIT_PER_MINUTE: '100000', CONVERSATION_RATE_LIMIT_BURST: '100000' };
    const attune = await measure(`attune (${process.env.MONGODB_URI ? 'MongoDB' : 'embedded'} storage, ${process.env.REDIS_URL ? 'Redis' : 'in-process'} queue)`, path.join(ROOT, 'dist', 'index.js'), { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...rateLimit }, connector, process.env.MONGODB_URI ? undefined : dataDir);
    const rows = [echo, attune];
    console.log(`\nTurn benchmark: ${CONCURRENCY} concurrent conversations, ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up, ${os.cpus().length} cores\n`);
    console.log('| bot | turns | turns/s | p50 ms | p99 ms | CPU ms/turn | main thread CPU ms/turn | load client CPU ms/turn | replies/turn | RSS MB |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) console.log(`| ${r.name} | ${r.turns} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuMsPerTurn.toFixed(2)} | ${r.mainThreadCpuMsPerTurn.toFixed(2)} | ${r.clientCpuMsPerTurn.toFixed(2)} | ${r.repliesPerTurn.toFixed(2)} | ${r.rssMb.toFixed(0)} |`);
    const throughput = attune.perSecond / echo.perSecond;
    const latency = attune.p99 / echo.p99;
    console.log(`\nattune throughput: ${(throughput * 100).toFixed(0)}% of the echo bot (target ≥ 70%)`);
    console.log(`attune p99 latency: ${latency.toFixed(2)}× the echo bot (target ≤ 2×)`);
    console.log(`attune CPU per turn: ${(attune.cpuMsPerTurn / echo.cpuMsPerTurn).toFixed(2)}× the echo bot's`);
    if (attune.written) console.log(`attune storage per turn: ${attune.written.docsPerTurn.toFixed(2)} documents, ${attune.written.bytesPerTurn.toFixed(0)} bytes appended`);
  } finally {
    connector.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function measure(name: string, entry: string, env: Record<string, string>, connector: AcceptingConnector, dataDir?: string): Promise<Measured> {
  const { child, url } = await startBot(entry, env);
  try {
    const serviceUrl = connector.url;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const latencies: number[] = [];
    let measuring = false;
    const start = Date.now();
    const warmEnd = start + WARMUP_MS;
    const end = warmEnd + MEASURE_MS;
    const cpuAtWarmEnd = new Promise<number>((resolve) => setTimeout(() => resolve(cpuMsOf(child.pid!)), WARMUP_MS));
    const mainThreadCpuAtWarmEnd = new Promise<number>((resolve) => setTimeout(() => resolve(cpuMsOf(child.pid!, child.pid)), WARMUP_MS));
    const clientCpuAtWarmEnd = new Promise<NodeJS.CpuUsage>((resolve) => setTimeout(() => resolve(process.cpuUsage()), WARMUP_MS));
    const repliesAtWarmEnd = new Promise<number>((resolve) => setTimeout(() => resolve(connector.replies), WARMUP_MS));
    const writtenAtWarmEnd = new Promise<DataFiles | undefined>((resolve) => setTimeout(() => resolve(dataDir === undefined ? undefined : dataFilesIn(dataDir)), WARMUP_MS));
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        for (let i = 0; Date.now() < end; i++) {
          const began = process.hrtime.bigint();
          await postMessage(agent, url, messageActivity(`bench-${c}`, `${c}-${i}`, SCRIPT[i % SCRIPT.length]!, serviceUrl));
          if (Date.now() >= warmEnd) {
            measuring = true;
            latencies.push(Number(process.hrtime.bigint() - began) / 1e6);
          }
        }
      }),
    );
    agent.destroy();
    if (!measuring) throw new Error('no turn was measured');
    const cpuMs = (await cpuMsOf(child.pid!)) - (await cpuAtWarmEnd);
    const mainThreadCpuMs = (await cpuMsOf(child.pid!, child.pid)) - (await mainThreadCpuAtWarmEnd);
    const clientCpu = process.cpuUsage(await clientCpuAtWarmEnd);
    const replies = connector.replies - (await repliesAtWarmEnd);
    const [writtenBefore, writtenAfter] = [await writtenAtWarmEnd, dataDir === undefined ? undefined : await dataFilesIn(dataDir)];
    const rssMb = await rssOf(child.pid!);
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const written = writtenBefore && writtenAfter && { docsPerTurn: (writtenAfter.lines - writtenBefore.lines) / latencies.length, bytesPerTurn: (writtenAfter.bytes - writtenBefore.bytes) / latencies.length };
    return { name, turns: latencies.length, perSecond: latencies.length / (MEASURE_MS / 1000), p50: at(0.5), p99: at(0.99), rssMb, cpuMsPerTurn: cpuMs / latencies.length, mainThreadCpuMsPerTurn: mainThreadCpuMs / latencies.length, clientCpuMsPerTurn: (clientCpu.user + clientCpu.system) / 1000 / latencies.length, repliesPerTurn: replies / latencies.length, written };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function startBot(entry: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of each bot process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, entry], { cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url);
        }
      } catch {
        // not a JSON log line
      }
    });
  });
  return { child, url };
}

interface DataFiles {
  readonly lines: number;
  readonly bytes: number;
}

/**
 * The embedded store appends one line per document written (nedb's `*.db` files and the turn log's
 * `turns/*.jsonl`), so lines count writes.
 */
async function dataFilesIn(dataDir: string): Promise<DataFiles> {
  let lines = 0;
  let bytes = 0;
  const turnFiles = (await fs.readdir(path.join(dataDir, 'turns')).catch(() => [])).map((name) => path.join('turns', name));
  for (const name of [...(await fs.readdir(dataDir)), ...turnFiles]) {
    if (!name.endsWith('.db') && !name.endsWith('.jsonl')) continue;
    const content = await fs.readFile(path.join(dataDir, name));
    bytes += content.length;
    for (const byte of content) if (byte === 10) lines++;
  }
  return { lines, bytes };
}

/**
 * User + system CPU time so far, from /proc (clock ticks of 10 ms on Linux): of the whole process,
 * or of one of its threads (the main thread's id is the process id).
 */
async function cpuMsOf(pid: number, thread?: number): Promise<number> {
  const stat = await fs.readFile(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 12 ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : NaN;
}

async function rssOf(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
