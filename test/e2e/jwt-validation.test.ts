/**
 * Channel JWTs checked for real: with MicrosoftAppId set and the channel OpenID metadata pointed at
 * a local endpoint (ToBotFromChannelOpenIdMetadataUrl) that publishes a locally generated RSA key,
 * a token signed with that key for this bot is accepted, and an expired token, a token for another
 * bot (audience), one signed by another key, one for another serviceUrl, or one without the
 * channel's endorsement is refused with 401 and runs no turn.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { keywordRecognizer } from '../support/keyword-recognizer';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_ID = 'attune-jwt-test-app';
const ISSUER = 'https://api.botframework.com';
const KEY_ID = 'attune-local-key';
const SERVICE_URL = 'https://smba.example.test/';

/** A local OpenID provider: the metadata document and the key set it points at. */
async function startOpenIdEndpoint(publicKey: KeyObject): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const jwk = publicKey.export({ format: 'jwk' });
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body =
      req.url === '/.well-known/openidconfiguration'
        ? { issuer: ISSUER, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/keys'
          ? { keys: [{ kty: 'RSA', use: 'sig', kid: KEY_ID, n: jwk.n, e: jwk.e, endorsements: ['webchat', 'msteams'] }] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openidconfiguration`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('channel JWT validation against a local OpenID metadata endpoint', () => {
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let openId: Awaited<ReturnType<typeof startOpenIdEndpoint>>;
  let dataDir: string;
  let attune: RunningAttune;

  beforeAll(async () => {
    openId = await startOpenIdEndpoint(signingKey.publicKey);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-jwt-'));
    const config = loadConfig(
      { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: openId.url },
      ROOT,
    );
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
  });

  afterAll(async () => {
    await attune?.close();
    await openId?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  interface TokenOptions {
    readonly key?: KeyObject;
    readonly audience?: string;
    readonly expiresInSeconds?: number;
    readonly serviceUrl?: string;
  }

  const token = (options: TokenOptions = {}) =>
    jwt.sign({ serviceurl: options.serviceUrl ?? SERVICE_URL }, (options.key ?? signingKey.privateKey).export({ format: 'pem', type: 'pkcs8' }), {
      algorithm: 'RS256',
      keyid: KEY_ID,
      issuer: ISSUER,
      audience: options.audience ?? APP_ID,
      expiresIn: options.expiresInSeconds ?? 600,
    });

  let sent = 0;
  async function post(authorization: string | undefined, channelId = 'webchat', conversation = `jwt-conv-${sent + 1}`) {
    sent += 1;
    const response = await fetch(`${attune.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({
        type: 'message',
        id: `jwt-${sent}`,
        text: 'hello',
        channelId,
        serviceUrl: SERVICE_URL,
        deliveryMode: 'expectReplies', // replies come back in the response: no outbound call, no Azure AD token needed
        conversation: { id: conversation },
        from: { id: 'user-1' },
        recipient: { id: APP_ID },
      }),
    });
    const turns = await attune.store.turns.listByConversation(`${channelId}:${conversation}`, 10);
    return { status: response.status, body: (await response.json().catch(() => undefined)) as { activities?: { text?: string }[] } | undefined, turns };
  }

  it('accepts a token signed by the published key for this bot, and the turn runs', async () => {
    const accepted = await post(`Bearer ${token()}`);
    expect(accepted.status).toBe(200);
    expect(accepted.body?.activities?.length).toBeGreaterThan(0);
    expect(accepted.turns.filter((t) => t.role === 'customer').map((t) => t.text)).toEqual(['hello']);
    expect(openId.requests).toEqual(expect.arrayContaining(['/.well-known/openidconfiguration', '/keys']));
  });

  it.each([
    ['expired', () => `Bearer ${token({ expiresInSeconds: -3600 })}`],
    ['for another bot (wrong audience)', () => `Bearer ${token({ audience: 'someone-elses-bot' })}`],
    ['signed by a key the metadata does not publish', () => `Bearer ${token({ key: otherKey.privateKey })}`],
    ['issued for another serviceUrl', () => `Bearer ${token({ serviceUrl: 'https://attacker.example/' })}`],
    ['not a JWT at all', () => 'Bearer not-a-jwt'],
  ])('refuses a token that is %s with 401 and runs no turn', async (_what, authorization) => {
    const refused = await post(authorization());
    expect(refused.status).toBe(401);
    expect(refused.turns).toEqual([]);
  });

  it("refuses a valid token on a channel its key is not endorsed for (the key's endorsements)", async () => {
    const refused = await post(`Bearer ${token()}`, 'sms');
    expect(refused.status).toBe(401);
    expect(refused.turns).toEqual([]);
  });

  it("does not let unsigned requests use up a conversation's message budget (the limit is charged after the token check)", async () => {
    // The default burst is 20: 25 unsigned posts would have spent it all before.
    for (let i = 0; i < 25; i += 1) expect((await post(undefined, 'webchat', 'muted-customer')).status).toBe(401);
    const genuine = await post(`Bearer ${token()}`, 'webchat', 'muted-customer');
    expect(genuine.status).toBe(200);
    expect(genuine.turns.filter((t) => t.role === 'customer').map((t) => t.text)).toEqual(['hello']);
  });
});
