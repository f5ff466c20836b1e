/**
 * A local stand-in for the Bot Framework connector: the `serviceUrl` of test activities. It
 * answers the reply endpoints and records every activity the bot sends, by conversation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';

export interface RecordedActivity extends Partial<Activity> {
  /** The activity id this one replied to, from the URL (percent-decoded). */
  readonly replyTo?: string;
}

export class FakeConnector {
  private readonly received = new Map<string, RecordedActivity[]>();
  private readonly waiters = new Set<() => void>();
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  activities(conversationId: string): RecordedActivity[] {
    return this.received.get(conversationId) ?? [];
  }

  /** Waits until the conversation has at least `count` activities (of any type). */
  async waitFor(conversationId: string, count: number, timeoutMs = 10_000): Promise<RecordedActivity[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.activities(conversationId).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`expected ${count} activities in ${conversationId}, got ${this.activities(conversationId).length}: ${JSON.stringify(this.activities(conversationId).map((a) => a.text ?? a.name))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.activities(conversationId);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const conversationId = decodeURIComponent(match[1]!);
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<Activity>;
      const list = this.received.get(conversationId) ?? [];
      list.push({ ...activity, replyTo: match[2] ? decodeURIComponent(match[2]) : undefined });
      this.received.set(conversationId, list);
      for (const wake of this.waiters) wake();
      this.waiters.clear();
      // Two statements: restify patches ServerResponse.writeHead, and its version does not return `this`.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${list.length}` }));
    });
  }
}
