/**
 * With Bot Framework credentials configured, /api/messages only accepts requests carrying a
 * channel JWT. (Validating a real token needs Microsoft's OpenID metadata; the production-readiness
 * suite does that against a local metadata endpoint.)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { startAttune, type RunningAttune } from '../../index';
import { keywordRecognizer } from '../support/keyword-recognizer';

const ROOT = path.resolve(__dirname, '..', '..');
const activity = {
  type: 'message',
  id: 'a1',
  text: 'hello',
  channelId: 'webchat',
  serviceUrl: 'http://127.0.0.1:1/',
  conversation: { id: 'c1' },
  from: { id: 'u1' },
  recipient: { id: 'bot' },
};

describe('Bot Framework authentication', () => {
  let dataDir: string;
  let attune: RunningAttune;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'attune-auth-'));
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, MicrosoftAppId: 'attune-test-app', MicrosoftAppPassword: 'not-a-real-secret' }, ROOT);
    attune = await startAttune(config, pino({ level: 'silent' }), { recognizer: keywordRecognizer() });
  });

  afterAll(async () => {
    await attune?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('rejects an activity without an Authorization header with 401', async () => {
    const response = await fetch(`${attune.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(response.status).toBe(401);
    const turns = await attune.store.turns.listByConversation('webchat:c1', 10);
    expect(turns).toEqual([]);
  });
});
