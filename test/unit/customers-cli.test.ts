import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../scripts/customers';
import { main as seed } from '../../scripts/seed';
import { createStore } from '../../storage/create-store';
import { lockDataDir } from '../../storage/embedded/data-dir-lock';
import type { AttuneStore } from '../../storage/ports';
import { aConversation, aHandoffPackage, anEscalation, aTurn, at } from '../support/fixtures';

type Output = { code: number; stdout: string; stderr: string };

function capture(run: (out: { write: (c: string) => boolean }, err: { write: (c: string) => boolean }) => Promise<number>): Promise<Output> {
  let stdout = '';
  let stderr = '';
  return run({ write: (c) => ((stdout += c), true) }, { write: (c) => ((stderr += c), true) }).then((code) => ({ code, stdout, stderr }));
}

describe('npm run customers / npm run seed (embedded DATA_DIR)', () => {
  let root: string;
  let env: Record<string, string>;
  const customers = (argv: string[]) => capture((out, err) => main(argv, env, out, err));
  /** Opens the store after the CLI closed it, runs `check`, and closes it again. */
  const withStore = async <T>(check: (store: AttuneStore) => Promise<T>): Promise<T> => {
    const store = await createStore({ kind: 'embedded', dataDir: env.DATA_DIR });
    try {
      return await check(store);
    } finally {
      await store.close();
    }
  };
  const file = async (name: string, text: string) => {
    const filePath = path.join(root, name);
    await writeFile(filePath, text);
    return filePath;
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'attune-customers-cli-'));
    env = { DATA_DIR: path.join(root, 'data') };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('seeds the demo customers, varied in tier, consent and preferences, and reseeding updates them', async () => {
    expect(await capture((out, err) => seed(env, out, err))).toMatchObject({ code: 0, stdout: expect.stringContaining('6 new') });
    expect((await capture((out, err) => seed(env, out, err))).stdout).toContain('0 new, 6 updated');
    const profiles = await withStore((store) => Promise.all(['demo-ada', 'demo-ben', 'demo-cara', 'demo-dev'].map((id) => store.customers.get(id))));
    expect(new Set(profiles.map((p) => p?.tier))).toEqual(new Set(['standard', 'plus', 'premium', 'private']));
    expect(profiles.map((p) => p?.consent.marketing)).toContain(false);
    expect(profiles[2]?.openCases?.[0]?.topic).toBe('dispute');
    expect((await withStore((store) => store.customers.findByIdentity({ channelId: 'telegram', userId: 'demo-ben-tg' })))?.id).toBe('demo-ben');
  });

  it('imports CSV from a CRM, keeping what the bot learnt (answered preferences, linked identities)', async () => {
    const csv = await file('crm.csv', 'id,firstName,tier,products,identities,marketingConsent,tone,useFirstName,contactChannel\nc1,Zoe,plus,debit_card;travel_card,webchat:z1,yes,formal,no,\n');
    expect(await customers(['import', csv])).toMatchObject({ code: 0, stdout: expect.stringContaining('1 new') });
    await customers(['link', 'c1', 'telegram', 'tg-z1']);
    await withStore(async (store) => {
      const stored = await store.customers.get('c1');
      await store.customers.save({ ...stored!, preferences: { ...stored!.preferences, contactChannel: 'sms' } });
    });
    const update = await file('crm2.csv', 'id,tier,products,marketingConsent\nc1,premium,debit_card,no\n');
    expect((await customers(['import', update])).code).toBe(0);

    const profile = await withStore((store) => store.customers.get('c1'));
    // The CRM owns name, tier, products and consent: its record replaces them (the name is gone).
    expect(profile).toMatchObject({ tier: 'premium', products: ['debit_card'], preferences: { tone: 'formal', useFirstName: false, contactChannel: 'sms' } });
    expect(profile).not.toHaveProperty('firstName');
    expect(profile?.consent.marketing).toBe(false);
    expect(profile?.identities).toEqual([{ channelId: 'webchat', userId: 'z1' }, { channelId: 'telegram', userId: 'tg-z1' }]);
  });

  it('refuses a whole file when a record is bad or carries a sensitive attribute, naming each problem', async () => {
    const json = await file('crm.json', JSON.stringify([
      { id: 'ok', tier: 'standard', marketingConsent: true },
      { id: 'bad', tier: 'gold', marketingConsent: true, age: 44, health: 'asthma' },
    ]));
    const result = await customers(['import', json]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('record 2: tier');
    expect(result.stderr).toMatch(/record 2: record: Unrecognized keys?: "age", "health"/);
    expect(result.stderr).toContain('nothing was imported');
    expect(await withStore((store) => store.customers.get('ok'))).toBeUndefined();
    expect((await customers(['import', await file('crm.txt', '')])).stderr).toContain('must end in .json or .csv');
    expect((await customers(['import', await file('broken.json', '[{')])).code).toBe(1);
  });

  it('exports everything held about a customer and erases it, keeping only anonymised offer counts', async () => {
    await seed(env, { write: () => true }, { write: () => true });
    await withStore(async (store) => {
      await store.conversations.open(aConversation({ id: 'webchat:c-ada', conversationId: 'c-ada', customerId: 'demo-ada' }));
      await store.turns.append([aTurn({ id: 't1', conversationId: 'webchat:c-ada', customerId: 'demo-ada' }), aTurn({ id: 't2', conversationId: 'webchat:c-ada', role: 'agent', customerId: undefined })]);
      await store.botState.write({ 'webchat/conversations/c-ada/': { attune: { lookup: { resolved: true, customer: { id: 'demo-ada', firstName: 'Ada' } } } } });
      await store.offerEvents.record({ id: 'e1', offerId: 'travel_card', kind: 'shown', customerId: 'demo-ada', conversationId: 'webchat:c-ada', channelId: 'webchat', reasons: ['asked_about_foreign_payments'], at: at(0) });
      const adaHandoff = aHandoffPackage({ profile: { customerId: 'demo-ada', firstName: 'Ada', tier: 'plus', products: ['debit_card'] } });
      await store.escalations.create(anEscalation({ id: 'esc-first', customerId: 'demo-ada', conversationId: 'webchat:c-ada', status: 'resolved', agentId: 'agent-1', csat: 5, handoff: adaHandoff }));
      await store.escalations.create(anEscalation({ id: 'esc-ben', customerId: 'demo-ben', conversationId: 'webchat:c-ben' }));
    });

    const exported = await customers(['export', 'demo-ada']);
    expect(exported.code).toBe(0);
    type Exported = { profile: { id: string }; turns: unknown[]; offerEvents: unknown[]; conversations: unknown[]; escalations: Record<string, unknown>[] };
    const data = JSON.parse(exported.stdout) as Exported;
    expect([data.profile.id, data.conversations.length, data.turns.length, data.offerEvents.length]).toEqual(['demo-ada', 1, 2, 1]);
    // Their escalation with its handoff package, without the routing internals.
    expect(data.escalations).toEqual([expect.objectContaining({ id: 'esc-first', conversationId: 'webchat:c-ada', status: 'resolved', csat: 5, handoff: expect.objectContaining({ profile: expect.objectContaining({ firstName: 'Ada' }) }) })]);
    for (const internal of ['conversationReference', 'conversationReferenceJson', 'agentId', 'pool', 'priority']) expect(data.escalations[0]).not.toHaveProperty(internal);

    const erased = await customers(['erase', 'demo-ada']);
    expect(JSON.parse(erased.stdout)).toEqual({ erased: 'demo-ada', profiles: 1, conversations: 1, turns: 2, offerEventsAnonymised: 1, escalationsAnonymised: 1 });
    await withStore(async (store) => {
      expect(await store.customers.get('demo-ada')).toBeUndefined();
      expect(await store.turns.listByConversation('webchat:c-ada', 10)).toEqual([]);
      expect(await store.botState.read(['webchat/conversations/c-ada/'])).toEqual({});
      expect(await store.offerEvents.listByCustomer('demo-ada', 10)).toEqual([]);
      expect(await store.offerEvents.count('travel_card', 'shown')).toBe(1);
      // The escalation still counts (status, CSAT) but nothing in it points at Ada or reaches her.
      const escalation = await store.escalations.get('esc-first');
      expect(escalation).toMatchObject({ status: 'resolved', csat: 5, conversationReference: {} });
      expect(JSON.stringify(escalation)).not.toMatch(/demo-ada|Ada|c-ada|web-user-1/);
      expect((await store.escalations.get('esc-ben'))?.customerId).toBe('demo-ben');
    });
    expect((await customers(['export', 'demo-ada'])).code).toBe(1);
    expect((await customers(['erase', 'demo-ada'])).stderr).toContain('no customer with id "demo-ada"');
  });

  it('stops with exit 1 while the bot holds the data directory, and writes nothing', async () => {
    const csv = await file('crm.csv', 'id,tier,marketingConsent\nc1,plus,yes\n');
    const lock = await lockDataDir(env.DATA_DIR);
    let imported: Output;
    let seeded: Output;
    try {
      imported = await customers(['import', csv]);
      seeded = await capture((out, err) => seed(env, out, err));
    } finally {
      await lock.release();
    }
    for (const result of [imported, seeded]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`the bot is running on DATA_DIR ${env.DATA_DIR}; stop it or run this against MongoDB`);
    }
    expect(await withStore((store) => store.customers.get('c1'))).toBeUndefined();
  });

  it('answers a bad command line with exit 2 and the usage', async () => {
    for (const argv of [[], ['frobnicate'], ['export'], ['link', 'c1', 'telegram']]) {
      const result = await customers(argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage:');
    }
  });
});
