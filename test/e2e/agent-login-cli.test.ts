/**
 * The whole path for a new staff member: `npm run agents -- add` on the bot's DATA_DIR, then the
 * bot (started on that directory afterwards) accepts the printed password over HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ActivityHandler } from 'botbuilder';
import pino from 'pino';
import { main } from '../../scripts/agents';
import { registerStaffAuthRoutes } from '../../server/auth/routes';
import { StaffAuth } from '../../server/auth/staff-auth';
import { createBotAdapter } from '../../server/bot-adapter';
import { createServer } from '../../server/create-server';
import { createStore } from '../../storage/create-store';

describe('an account created with the CLI signs in over HTTP', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'attune-agent-cli-e2e-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts the printed password, and nothing else', async () => {
    let printed = '';
    const code = await main(['add', '--name', 'Alice', '--pool', 'expert', '--role', 'supervisor', '--json'], { DATA_DIR: dataDir }, { write: (chunk: string) => ((printed += chunk), true) }, { write: () => true });
    expect(code).toBe(0);
    const { password, id } = JSON.parse(printed) as { password: string; id: string };

    const store = await createStore({ kind: 'embedded', dataDir });
    const logger = pino({ level: 'silent' });
    const server = createServer({ adapter: createBotAdapter(undefined), bot: new ActivityHandler(), store, logger });
    registerStaffAuthRoutes(server, new StaffAuth(store.agents, store.agentSessions), logger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/agent/login`;
      const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

      const ok = await post({ name: 'alice', password });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ agent: { id, name: 'alice', pool: 'expert', role: 'supervisor' } });
      expect((await post({ name: 'alice', password: password.slice(0, -1) })).status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    }
  });
});
