/**
 * A local stand-in for an OpenAI-compatible Chat Completions endpoint on 127.0.0.1. Each test
 * scripts how it answers and then reads the requests it recorded. Point the SDK's `baseURL` at `url`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeOpenAiBehaviour =
  /** 200 with a well-formed structured answer (the intent may be one the caller does not know). */
  | { readonly kind: 'answer'; readonly intent: string; readonly confidence: number }
  /** 200 whose message content is exactly this string (garbage, wrong shape, …). */
  | { readonly kind: 'content'; readonly content: string }
  /** The same answer, after `delayMs` without sending anything. */
  | { readonly kind: 'slow'; readonly delayMs: number; readonly intent: string; readonly confidence: number }
  /** Sends the status line and headers at once, then never finishes the body. */
  | { readonly kind: 'stalled_body' }
  /** An OpenAI-style error body with this status. */
  | { readonly kind: 'http_error'; readonly status: number };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body. */
  readonly body: Record<string, unknown>;
}

export class FakeOpenAi {
  /** What the next requests get; change it between tests. */
  behaviour: FakeOpenAiBehaviour = { kind: 'answer', intent: 'oos', confidence: 0.5 };
  readonly requests: RecordedRequest[] = [];
  /** The SDK base URL, e.g. `http://127.0.0.1:41234/v1`. */
  url = '';
  private server?: http.Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    // Slow and stalled answers hold connections open; close() alone would wait for them.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Forgets the recorded requests and goes back to a valid answer. */
  reset(): void {
    this.requests.length = 0;
    this.behaviour = { kind: 'answer', intent: 'oos', confidence: 0.5 };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      this.requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      this.respond(this.behaviour, body, res);
    });
  }

  private respond(behaviour: FakeOpenAiBehaviour, body: Record<string, unknown>, res: http.ServerResponse): void {
    switch (behaviour.kind) {
      case 'answer':
        sendCompletion(res, body, JSON.stringify({ intent: behaviour.intent, confidence: behaviour.confidence }));
        return;
      case 'content':
        sendCompletion(res, body, behaviour.content);
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!res.destroyed) {
            sendCompletion(res, body, JSON.stringify({ intent: behaviour.intent, confidence: behaviour.confidence }));
          }
        }, behaviour.delayMs);
        this.timers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case 'stalled_body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-fake","object":"chat.completion","choices":[');
        return;
      case 'http_error':
        res.writeHead(behaviour.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'The fake server failed on purpose.', type: 'server_error', code: null } }));
        return;
    }
  }
}

function sendCompletion(res: http.ServerResponse, request: Record<string, unknown>, content: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    }),
  );
}
