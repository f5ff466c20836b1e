import http from 'node:http';
import type { AddressInfo } from 'node:net';
import restify, { type Server } from 'restify';
import { parseJsonBody } from '../../server/json-body';
import { readRequestBody } from '../../server/request-body';

const MAX = 1024;

/** Posts a body in the chunks given (chunked transfer unless a length is declared). */
function post(url: string, chunks: readonly (string | Buffer)[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readRequestBody', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.use(readRequestBody({ maxBytes: MAX }));
    server.use(parseJsonBody);
    server.post('/echo', (req, res, next) => {
      res.send(200, { received: req.body ?? null });
      next();
    });
    server.get('/plain', (req, res, next) => {
      res.send(200, { body: req.body ?? null });
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a body that arrives in pieces, multi-byte characters split across them', async () => {
    const text = JSON.stringify({ text: 'café ☕ 🏦' });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('☕')) + 1;
    const answer = await post(url, [bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ received: { text: 'café ☕ 🏦' } }) });
  });

  it('leaves the body unset when there is none', async () => {
    const answer = await fetch(`${url}/plain`);
    expect(await answer.json()).toEqual({ body: null });
  });

  it('refuses a declared length over the limit with 413, before reading it', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(MAX) });
    const answer = await post(url, [body], { 'content-length': String(Buffer.byteLength(body)) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ code: 'ATTUNE_BODY_TOO_LARGE', message: `The request body is larger than ${MAX} bytes.` });
  });

  it('refuses a chunked body once it passes the limit with 413', async () => {
    const answer = await post(url, ['{"text":"', 'y'.repeat(MAX / 2), 'y'.repeat(MAX / 2), '"}']);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).code).toBe('ATTUNE_BODY_TOO_LARGE');
  });

  it('accepts a body of exactly the limit', async () => {
    const body = JSON.stringify({ text: 'z'.repeat(MAX - 11) });
    expect(Buffer.byteLength(body)).toBe(MAX);
    expect((await post(url, [body], { 'content-length': String(MAX) })).status).toBe(200);
  });

  it('refuses a compressed body with 415 naming the encoding', async () => {
    const answer = await post(url, ['{}'], { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.body)).toEqual({ code: 'ATTUNE_BODY_ENCODING_UNSUPPORTED', message: 'Content-Encoding "gzip" is not supported; send the body uncompressed.' });
  });

  it('keeps serving after a client leaves in the middle of a body', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '500' } });
      req.on('error', () => resolve());
      req.write('{"text":"half');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await post(url, ['{"ok":true}'])).status).toBe(200);
  });
});
