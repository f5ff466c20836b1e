/**
 * Full-turn throughput and latency of attune through POST /api/messages, against a bare
 * botbuilder echo bot measured in the same run on the same machine. Both run as their own
 * processes; replies go to a local fake connector; 16 conversations talk at once.
 *
 *   npm run bench:turn   (after a build; set REDIS_URL / MONGODB_URI to measure those backends)
 *
 * The two bots are measured in alternating slices (1 s each, 10 slices per bot by default), not
 * one after the other: on a shared machine the CPU a process gets drifts by tens of percent
 * within a minute, and a ratio of two runs minutes apart measured that drift more than the bots.
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
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 1000);
const SLICES = Number(process.env.BENCH_SLICES ?? 10);
const ROOT = path.resolve(__dirname, '..', '..');

/** A conversation attune handles without escalating: a dialog, answers, small talk. */
const SCRIPT = ['hello', "my card hasn't arrived", 'More than a week ago', 'no', 'what exchange rate do you use?', 'my top-up failed', 'With a card', 'thanks'];

/** A bot process under load: its conversations go on from one slice to the next. */
interface BotUnderTest {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** Embedded storage only: where its data files are, to count what each turn writes. */
  readonly dataDir?: string;
  /** Messages sent so far in each of the CONCURRENCY conversations. */
  readonly sent: number[];
}

/** What the measured slices of one bot added up to. */
interface Tally {
  readonly latencies: number[];
  elapsedMs: number;
  cpuMs: number;
  mainThreadCpuMs: number;
  clientCpuMs: number;
  replies: number;
  writtenLines: number;
  writtenBytes: number;
}

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
  const bots: BotUnderTest[] = [];
  try {
    bots.push(await startBot('echo bot (botbuilder + restify)', path.join(ROOT, 'dist', 'bench', 'echo-bot.js'), {}));
    // Each benchmark conversation sends far more than a person types: the per-conversation rate
    // limit is raised out of the way but stays installed, so its cost is still measured.
    const rateLimit = { CONVERSATION_RATE_LIMIT_PER_MINUTE: '100000', CONVERSATION_RATE_LIMIT_BURST: '100000' };
    const storage = process.env.MONGODB_URI ? 'MongoDB' : 'embedded';
    bots.push(await startBot(`attune (${storage} storage, ${process.env.REDIS_URL ? 'Redis' : 'in-process'} queue)`, path.join(ROOT, 'dist', 'index.js'), { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...rateLimit }, process.env.MONGODB_URI ? undefined : dataDir));
    const [echo, attune] = await measureInterleaved(bots, connector);
    console.log(`\nTurn benchmark: ${CONCURRENCY} concurrent conversations, ${SLICES} slices of ${SLICE_MS / 1000} s per bot (alternating) after ${WARMUP_MS / 1000} s warm-up each, ${os.cpus().length} cores\n`);
    console.log('| bot | turns | turns/s | p50 ms | p99 ms | CPU ms/turn | main thread CPU ms/turn | load client CPU ms/turn | replies/turn | RSS MB |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of [echo!, attune!]) console.log(`| ${r.name} | ${r.turns} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuMsPerTurn.toFixed(2)} | ${r.mainThreadCpuMsPerTurn.toFixed(2)} | ${r.clientCpuMsPerTurn.toFixed(2)} | ${r.repliesPerTurn.toFixed(2)} | ${r.rssMb.toFixed(0)} |`);
    const throughput = attune!.perSecond / echo!.perSecond;
    const latency = attune!.p99 / echo!.p99;
    console.log(`\nattune throughput: ${(throughput * 100).toFixed(0)}% of the echo bot (target ≥ 70%)`);
    console.log(`attune p99 latency: ${latency.toFixed(2)}× the echo bot (target ≤ 2×)`);
    console.log(`attune CPU per turn: ${(attune!.cpuMsPerTurn / echo!.cpuMsPerTurn).toFixed(2)}× the echo bot's; main thread: ${(attune!.mainThreadCpuMsPerTurn / echo!.mainThreadCpuMsPerTurn).toFixed(2)}×`);
    if (attune!.written) console.log(`attune storage per turn: ${attune!.written.docsPerTurn.toFixed(2)} documents, ${attune!.written.bytesPerTurn.toFixed(0)} bytes appended`);
  } finally {
    await Promise.all(bots.map((bot) => stopBot(bot.child)));
    connector.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** Warms each bot up, then drives them in turn, one slice each, SLICES times. */
async function measureInterleaved(bots: readonly BotUnderTest[], connector: AcceptingConnector): Promise<Measured[]> {
  const agents = bots.map(() => new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  try {
    for (const [i, bot] of bots.entries()) await drive(bot, agents[i]!, connector, WARMUP_MS);
    const tallies = bots.map((): Tally => ({ latencies: [], elapsedMs: 0, cpuMs: 0, mainThreadCpuMs: 0, clientCpuMs: 0, replies: 0, writtenLines: 0, writtenBytes: 0 }));
    // ABBA order: the bot driven right after the other one pays for what that one left behind
    // (its garbage collection, its writes still flushing), so each bot goes second half the time.
    for (let slice = 0; slice < SLICES; slice++) {
      const order = slice % 2 === 0 ? [...bots.keys()] : [...bots.keys()].reverse();
      for (const i of order) await drive(bots[i]!, agents[i]!, connector, SLICE_MS, tallies[i]);
    }
    return Promise.all(bots.map((bot, i) => summarise(bot, tallies[i]!)));
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

/**
 * CONCURRENCY conversations post their next messages for `durationMs`, each waiting for the bot's
 * answer before it sends again; with a tally, what the slice cost is added to it.
 */
async function drive(bot: BotUnderTest, agent: http.Agent, connector: AcceptingConnector, durationMs: number, tally?: Tally): Promise<void> {
  const before = tally && (await snapshot(bot, connector));
  const began = process.hrtime.bigint();
  const end = Date.now() + durationMs;
  await Promise.all(
    bot.sent.map(async (_, c) => {
      while (Date.now() < end) {
        const i = bot.sent[c]!++;
        const sentAt = process.hrtime.bigint();
        await postMessage(agent, bot.url, messageActivity(`bench-${c}`, `${c}-${i}`, SCRIPT[i % SCRIPT.length]!, connector.url));
        tally?.latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      }
    }),
  );
  if (!tally || !before) return;
  tally.elapsedMs += Number(process.hrtime.bigint() - began) / 1e6;
  // Before the snapshot, which reads the data files: that is the benchmark's work, not the client's.
  const client = process.cpuUsage(before.clientCpu);
  tally.clientCpuMs += (client.user + client.system) / 1000;
  const after = await snapshot(bot, connector);
  tally.cpuMs += after.cpuMs - before.cpuMs;
  tally.mainThreadCpuMs += after.mainThreadCpuMs - before.mainThreadCpuMs;
  tally.replies += after.replies - before.replies;
  tally.writtenLines += after.written.lines - before.written.lines;
  tally.writtenBytes += after.written.bytes - before.written.bytes;
}

interface Snapshot {
  readonly cpuMs: number;
  readonly mainThreadCpuMs: number;
  readonly clientCpu: NodeJS.CpuUsage;
  readonly replies: number;
  readonly written: DataFiles;
}

async function snapshot(bot: BotUnderTest, connector: AcceptingConnector): Promise<Snapshot> {
  const pid = bot.child.pid!;
  const written = bot.dataDir === undefined ? { lines: 0, bytes: 0 } : await dataFilesIn(bot.dataDir);
  return { cpuMs: await cpuMsOf(pid), mainThreadCpuMs: await cpuMsOf(pid, pid), clientCpu: process.cpuUsage(), replies: connector.replies, written };
}

async function summarise(bot: BotUnderTest, tally: Tally): Promise<Measured> {
  const turns = tally.latencies.length;
  if (turns === 0) throw new Error(`no turn of ${bot.name} was measured`);
  const latencies = [...tally.latencies].sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(turns - 1, Math.floor(q * turns))]!;
  const written = bot.dataDir === undefined ? undefined : { docsPerTurn: tally.writtenLines / turns, bytesPerTurn: tally.writtenBytes / turns };
  return {
    name: bot.name,
    turns,
    perSecond: turns / (tally.elapsedMs / 1000),
    p50: at(0.5),
    p99: at(0.99),
    rssMb: await rssOf(bot.child.pid!),
    cpuMsPerTurn: tally.cpuMs / turns,
    mainThreadCpuMsPerTurn: tally.mainThreadCpuMs / turns,
    clientCpuMsPerTurn: tally.clientCpuMs / turns,
    repliesPerTurn: tally.replies / turns,
    written,
  };
}

async function stopBot(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function startBot(name: string, entry: string, env: Record<string, string>, dataDir?: string): Promise<BotUnderTest> {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of each bot process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, entry], { cwd: ROOT, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not yet in `bots`, so the caller's clean-up would not stop it.
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start within 60 s`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}`));
    });
    child.once('error', reject);
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
  return { name, child, url, dataDir, sent: new Array<number>(CONCURRENCY).fill(0) };
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
