import { spawn } from 'node:child_process';
import path from 'node:path';

/** A running MongoDB-compatible in-memory test server (jongodb), reachable on 127.0.0.1 only. */
export interface JongodbServer {
  /** Connection string as the server printed it, e.g. `mongodb://127.0.0.1:41234/test`. */
  readonly uri: string;
  /** The server's process id (e.g. to SIGSTOP it: a server that accepts connections and never answers). */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); its data is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const BINARY = path.resolve(__dirname, '../../node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb');
const URI_LINE = /^JONGODB_URI=(mongodb:\/\/\S+)\s*$/m;
const FAILURE_LINE = /^JONGODB_START_FAILURE=(.*)$/m;

/**
 * Starts jongodb on a free port of 127.0.0.1 and resolves once it prints `JONGODB_URI=…`.
 * It is given port 0, so the operating system picks a free port when the server binds it (no race
 * between finding a port and taking it); the printed URI names the port it got.
 *
 * @param startTimeoutMs How long to wait for the URI line before giving up (default 15 s).
 * @param port A fixed port, e.g. to start a server again where a stopped one was (outage tests).
 */
export function startJongodb(startTimeoutMs = 15_000, port = 0): Promise<JongodbServer> {
  const child = spawn(BINARY, ['--host=127.0.0.1', `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stdout = '';
  let stderr = '';

  const stop = async (): Promise<void> => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killTimer);
  };

  return new Promise<JongodbServer>((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      void stop();
      const output = `${stdout}${stderr}`.trim().slice(-2000);
      reject(new Error(`jongodb (${BINARY}) did not start: ${why}${output === '' ? '' : `\n--- its output ---\n${output}`}`));
    };
    const onEarlyExit = (code: number | null, signal: string | null): void => fail(`it exited (code ${code}, signal ${signal})`);
    const startTimer = setTimeout(() => fail(`no JONGODB_URI line within ${startTimeoutMs} ms`), startTimeoutMs);

    child.once('error', (error) => fail(error.message));
    child.once('exit', onEarlyExit);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (!settled) stderr = (stderr + chunk).slice(-4000);
    });
    // Keeps reading after start-up too, so a chatty server never blocks on a full pipe.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      stdout = (stdout + chunk).slice(-4000);
      const failure = FAILURE_LINE.exec(stdout);
      if (failure !== null) return fail(failure[1]);
      const started = URI_LINE.exec(stdout);
      if (started === null) return;
      settled = true;
      clearTimeout(startTimer);
      child.off('exit', onEarlyExit);
      resolve({ uri: started[1], pid: child.pid!, stop });
    });
  });
}
