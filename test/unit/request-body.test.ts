import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
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

/**
 * Opens a raw connection, sends request headers and the first part of a body, and goes on sending
 * `drip` every 20 ms, as a client bent on sending all of a huge body would. Resolves with the raw
 * answer and the client's port once the server has closed its side of the connection.
 */
function sendBeyondTheAnswer(port: number, headers: string, first: string, drip?: string): Promise<{ answer: string; clientPort: number }> {
  return new Promise((resolve, reject) => {
    // Half-open allowed: the client does not close its side when the server closes its own.
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    let dripping: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for 5 s; answer so far: ${answer}`));
    }, 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined); // writing after the server closed: expected
    socket.on('end', () => {
      clearInterval(dripping);
      clearTimeout(giveUp);
      const clientPort = socket.localPort ?? 0;
      socket.destroy();
      resolve({ answer, clientPort });
    });
    socket.write(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}\r\n${first}`);
    if (drip) dripping = setInterval(() => socket.write(drip), 20);
  });
}

describe('readRequestBody', () => {
  let server: Server;
  let url: string;
  let port: number;
  let echoed = 0;
  /** The server's side of each connection, by the client's port. */
  const serverSockets = new Map<number, net.Socket>();
  beforeAll(async () => {
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.server.on('connection', (socket: net.Socket) => serverSockets.set(socket.remotePort ?? 0, socket));
    server.use(readRequestBody({ maxBytes: MAX }));
    server.use(parseJsonBody);
    server.post('/echo', (req, res, next) => {
      echoed++;
      res.send(200, { received: req.body ?? null });
      next();
    });
    server.get('/plain', (req, res, next) => {
      res.send(200, { body: req.body ?? null });
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
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

  /** Whether the server has let go of the connection from `clientPort` (within a second). */
  const closedByServer = async (clientPort: number) => {
    const socket = serverSockets.get(clientPort);
    for (let i = 0; i < 50 && socket && !socket.destroyed; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return socket?.destroyed;
  };

  it('closes the connection after a 413 instead of reading the rest of a declared body', async () => {
    const { answer, clientPort } = await sendBeyondTheAnswer(port, 'Content-Length: 10000000\r\n', '{"text":"', 'x'.repeat(512));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain('ATTUNE_BODY_TOO_LARGE');
    await expect(closedByServer(clientPort)).resolves.toBe(true);
  });

  it('closes the connection after a chunked body passes the limit', async () => {
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
    const { answer, clientPort } = await sendBeyondTheAnswer(port, 'Transfer-Encoding: chunked\r\n', chunk('x'.repeat(MAX * 2)), chunk('y'.repeat(512)));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    await expect(closedByServer(clientPort)).resolves.toBe(true);
  });

  it('closes the connection after a 415', async () => {
    const { answer, clientPort } = await sendBeyondTheAnswer(port, 'Content-Length: 5000\r\nContent-Encoding: gzip\r\n', 'abc', 'abc');
    expect(answer).toMatch(/^HTTP\/1\.1 415 /);
    await expect(closedByServer(clientPort)).resolves.toBe(true);
  });

  it('does not hand a body cut short to the route, and keeps serving', async () => {
    const before = echoed;
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
    expect(echoed).toBe(before + 1);
  });
});
