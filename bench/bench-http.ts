/**
 * The HTTP both turn benchmarks speak: a customer message as a Bot Framework activity, posting it
 * to a bot's /api/messages over a keep-alive agent, and a connector that accepts every reply.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export function messageActivity(conversationId: string, id: string, text: string, serviceUrl: string): string {
  return JSON.stringify({ type: 'message', id, text, channelId: 'webchat', serviceUrl, conversation: { id: conversationId }, from: { id: `user-${conversationId}` }, recipient: { id: 'bot' } });
}

/** Resolves when the bot answered the POST with a 2xx. */
export function postMessage(agent: http.Agent, botUrl: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${botUrl}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A connector that accepts every reply; `replies` counts the activities it received. */
export type AcceptingConnector = http.Server & { readonly url: string; readonly replies: number };

/** Answers the bot's reply calls at once, like a channel that accepts everything. */
export async function startAcceptingConnector(): Promise<AcceptingConnector> {
  let replies = 0;
  const server = http.createServer((req, res) => {
    replies += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"r"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.defineProperties(server, {
    url: { value: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    replies: { get: () => replies },
  }) as AcceptingConnector;
}
