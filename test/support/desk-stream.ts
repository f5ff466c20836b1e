/**
 * Reads the agent desk's Server-Sent Events (`GET /api/agent/events`) over HTTP the way the desk
 * page does (fetch with a bearer token), and keeps every frame for the test to wait on.
 */
import type { DeskEvent } from '../../events/topics';

export interface SseFrame {
  readonly event: string;
  readonly data: string;
}

export class DeskStream {
  readonly frames: SseFrame[] = [];
  /** Comment lines (`: heartbeat`) received. */
  heartbeats = 0;
  private readonly controller = new AbortController();
  private readonly waiters = new Set<() => void>();
  private ended = false;

  private constructor(readonly status: number) {}

  /** Connects; resolves once the response headers arrived (check `status`), reading in the background. */
  static async open(baseUrl: string, token?: string): Promise<DeskStream> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/api/agent/events`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
    const stream = new DeskStream(response.status);
    stream.controller.signal.addEventListener('abort', () => controller.abort());
    if (response.ok && response.body) void stream.read(response.body);
    else await response.body?.cancel();
    return stream;
  }

  /** The desk events received so far. */
  get events(): DeskEvent[] {
    return this.frames.filter((frame) => frame.event === 'desk').map((frame) => JSON.parse(frame.data) as DeskEvent);
  }

  /** Waits for a desk event that matches; rejects after `timeoutMs` naming what did arrive. */
  async waitFor(match: (event: DeskEvent) => boolean, timeoutMs = 10_000): Promise<DeskEvent> {
    const found = await this.until(() => this.events.find(match), timeoutMs);
    if (!found) throw new Error(`no matching desk event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
    return found;
  }

  /** Resolves once the server said the stream is ready. */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!(await this.until(() => this.frames.some((frame) => frame.event === 'ready'), timeoutMs))) throw new Error('the stream never became ready');
  }

  /** Resolves with `check()` once it is truthy, or undefined after `timeoutMs`. */
  async until<T>(check: () => T | undefined | false, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (this.ended || Date.now() >= deadline) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(200, deadline - Date.now()));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get closedByServer(): boolean {
    return this.ended;
  }

  close(): void {
    this.controller.abort();
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.take(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
      this.wake();
    }
  }

  private take(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.heartbeats += 1;
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) this.frames.push({ event, data: data.join('\n') });
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}
