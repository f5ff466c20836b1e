import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { createStore, type StoreConfig } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { anEscalation, aTurn } from '../support/fixtures';
import { startJongodb, type JongodbServer } from '../support/jongodb';
import { randomDbName } from '../support/store-lanes';

/** A port on which nothing listens: connections are refused at once. */
const UNREACHABLE_URI = 'mongodb://127.0.0.1:1/?directConnection=true';

const opened: AttuneStore[] = [];
async function open(config: StoreConfig): Promise<AttuneStore> {
  const store = await createStore(config);
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function elapsedMs(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

describe('createStore', () => {
  it.each([
    ['an unknown kind', { kind: 'redis' }],
    ['a kind in the wrong case', { kind: 'MongoDB', uri: 'mongodb://127.0.0.1:27017' }],
    ['no kind', {}],
    ['no config at all', undefined],
  ])('fails loudly with ATTUNE_STORAGE_KIND_UNKNOWN for %s', async (_case, config) => {
    const error = await expectAttuneError(createStore(config as unknown as StoreConfig), 'ATTUNE_STORAGE_KIND_UNKNOWN');
    expect(error.message).toMatch(/memory.*embedded.*mongodb/);
  });

  it.each([
    ['embedded without dataDir', { kind: 'embedded' }],
    ['embedded with a blank dataDir', { kind: 'embedded', dataDir: '  ' }],
    ['mongodb without uri', { kind: 'mongodb' }],
    ['mongodb with a malformed uri', { kind: 'mongodb', uri: 'not-a-mongodb-uri' }],
    ['mongodb with a zero timeout', { kind: 'mongodb', uri: UNREACHABLE_URI, serverSelectionTimeoutMs: 0 }],
  ])('rejects %s with ATTUNE_CONFIG_INVALID', async (_case, config) => {
    await expectAttuneError(createStore(config as unknown as StoreConfig), 'ATTUNE_CONFIG_INVALID');
  });

  it('opens independent memory stores', async () => {
    const a = await open({ kind: 'memory' });
    const b = await open({ kind: 'memory' });
    expect(a.kind).toBe('memory');
    await a.turns.append([aTurn()]);
    expect(await b.turns.listByConversation('webchat:conv-1', 10)).toEqual([]);
    await expect(a.ping()).resolves.toBeUndefined();
  });

  it('opens an embedded store in a directory it creates', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'attune-factory-'));
    try {
      const store = await open({ kind: 'embedded', dataDir: path.join(root, 'nested', 'data') });
      expect(store.kind).toBe('embedded');
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('createStore: mongodb', () => {
  let server: JongodbServer | undefined;
  beforeAll(async () => {
    server = await startJongodb();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('opens, answers ping, and refuses calls once closed', async () => {
    if (server === undefined) throw new Error('jongodb did not start');
    const store = await open({ kind: 'mongodb', uri: server.uri, dbName: randomDbName() });
    expect(store.kind).toBe('mongodb');
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expectAttuneError(store.ping(), 'ATTUNE_STORAGE_UNAVAILABLE');
    await expectAttuneError(store.turns.append([aTurn()]), 'ATTUNE_STORAGE_UNAVAILABLE');
  });

  it('creates the indexes erasure needs: turns and escalations by customer id', async () => {
    if (server === undefined) throw new Error('jongodb did not start');
    const dbName = randomDbName();
    await open({ kind: 'mongodb', uri: server.uri, dbName });
    const client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const keysOf = async (collection: string) => (await client.db(dbName).collection(collection).indexes()).map((index) => index.key);
      expect(await keysOf('turns')).toContainEqual({ customerId: 1 });
      expect(await keysOf('escalations')).toContainEqual({ customerId: 1 });
    } finally {
      await client.close();
    }
  });

  it('creates the unique index that keeps one active escalation per conversation, against any writer', async () => {
    if (server === undefined) throw new Error('jongodb did not start');
    const dbName = randomDbName();
    const store = await open({ kind: 'mongodb', uri: server.uri, dbName });
    await store.escalations.create(anEscalation({ id: 'esc-first' }));
    const client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const escalations = client.db(dbName).collection<{ _id: string; conversationId: string; status: string }>('escalations');
      // A writer that does not go through create (an older instance during a rolling update, a script).
      await expect(escalations.insertOne({ _id: 'esc-behind-its-back', conversationId: 'webchat:conv-1', status: 'assigned' })).rejects.toMatchObject({ code: 11000 });
      await escalations.insertOne({ _id: 'esc-ended', conversationId: 'webchat:conv-1', status: 'resolved' });
      await escalations.insertOne({ _id: 'esc-ended-too', conversationId: 'webchat:conv-1', status: 'abandoned' });
    } finally {
      await client.close();
    }
  });

  it('of two instances opening an escalation for one conversation at once, stores one and gives both its id', async () => {
    if (server === undefined) throw new Error('jongodb did not start');
    const dbName = randomDbName();
    const [one, two] = await Promise.all([open({ kind: 'mongodb', uri: server.uri, dbName }), open({ kind: 'mongodb', uri: server.uri, dbName })]);
    const [a, b] = await Promise.all([one.escalations.create(anEscalation({ id: 'esc-on-one' })), two.escalations.create(anEscalation({ id: 'esc-on-two' }))]);
    expect(a.id).toBe(b.id);
    expect(await one.escalations.list({ statuses: ['queued', 'assigned'], conversationId: 'webchat:conv-1' }, 10)).toStrictEqual([a]);
  });

  it('does not start on escalations stored before the index that break it, naming the index', async () => {
    if (server === undefined) throw new Error('jongodb did not start');
    const dbName = randomDbName();
    const client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const escalations = client.db(dbName).collection<{ _id: string; conversationId: string; status: string }>('escalations');
      await escalations.insertMany([
        { _id: 'esc-twice-1', conversationId: 'webchat:conv-1', status: 'queued' },
        { _id: 'esc-twice-2', conversationId: 'webchat:conv-1', status: 'assigned' },
      ]);
    } finally {
      await client.close();
    }
    const error = await expectAttuneError(open({ kind: 'mongodb', uri: server.uri, dbName }), 'ATTUNE_STORAGE_CONFLICT');
    expect(error.message).toMatch(/one_active_escalation_per_conversation/);
  });

  it('fails fast with ATTUNE_STORAGE_UNAVAILABLE when the server cannot be reached', async () => {
    const ms = await elapsedMs(() =>
      expectAttuneError(createStore({ kind: 'mongodb', uri: UNREACHABLE_URI }), 'ATTUNE_STORAGE_UNAVAILABLE'),
    );
    expect(ms).toBeLessThan(3000);
  });

  it('ping fails fast with ATTUNE_STORAGE_UNAVAILABLE when the server goes away', async () => {
    const own = await startJongodb();
    try {
      const store = await open({ kind: 'mongodb', uri: own.uri, dbName: randomDbName() });
      await expect(store.ping()).resolves.toBeUndefined();
      await own.stop();
      const ms = await elapsedMs(() => expectAttuneError(store.ping(), 'ATTUNE_STORAGE_UNAVAILABLE'));
      expect(ms).toBeLessThan(3000);
      await expectAttuneError(store.botState.read(['k']), 'ATTUNE_STORAGE_UNAVAILABLE');
    } finally {
      await own.stop();
    }
  });
});
