import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { startJongodb, type JongodbServer } from './jongodb';

/** Opens a fresh, empty store of the lane's kind. Stores are closed and removed after each test. */
export type StoreFactory = () => Promise<AttuneStore>;

/** A contract suite for one port, written once and run on every adapter. */
export type Contract = (newStore: StoreFactory) => void;

/** A random name so that parallel runs and a shared real MongoDB never collide. */
export function randomDbName(): string {
  return `attune_test_${randomBytes(6).toString('hex')}`;
}

/**
 * Registers `contract` once per adapter: memory; embedded (a fresh temporary directory per suite,
 * a subdirectory per store, all removed afterwards); MongoDB over the wire against jongodb, the
 * in-memory MongoDB-compatible test server; and a real MongoDB.
 *
 * The real-MongoDB lane is registered only when MONGODB_URI is set (e.g. CI with a mongo service):
 * without a server there is nothing to run it against, so it does not appear at all rather than
 * showing up as skipped. Its stores use random database names, dropped afterwards.
 */
export function describeOnEveryAdapter(port: string, contract: Contract): void {
  describe(`${port} [memory]`, () => {
    contract(trackedFactory(() => createStore({ kind: 'memory' })));
  });

  describe(`${port} [embedded]`, () => {
    let root = '';
    let count = 0;
    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'attune-contract-'));
    });
    afterAll(async () => {
      if (root !== '') await rm(root, { recursive: true, force: true });
    });
    contract(trackedFactory(() => createStore({ kind: 'embedded', dataDir: path.join(root, `store-${(count += 1)}`) })));
  });

  describe(`${port} [mongodb over the wire: jongodb]`, () => {
    let server: JongodbServer | undefined;
    beforeAll(async () => {
      server = await startJongodb();
    });
    afterAll(async () => {
      // jongodb keeps everything in memory (and has no dropDatabase): stopping it removes the data.
      await server?.stop();
    });
    contract(trackedFactory(() => mongoStore(requireServer(server).uri, [])));
  });

  const realUri = process.env.MONGODB_URI;
  if (realUri !== undefined && realUri !== '') {
    describe(`${port} [mongodb: MONGODB_URI]`, () => {
      const created: string[] = [];
      afterAll(async () => {
        const client = new MongoClient(realUri, { serverSelectionTimeoutMS: 5000 });
        try {
          for (const dbName of created.splice(0)) await client.db(dbName).dropDatabase();
        } finally {
          await client.close();
        }
      });
      contract(trackedFactory(() => mongoStore(realUri, created)));
    });
  }
}

function mongoStore(uri: string, created: string[]): Promise<AttuneStore> {
  const dbName = randomDbName();
  created.push(dbName);
  return createStore({ kind: 'mongodb', uri, dbName });
}

function requireServer(server: JongodbServer | undefined): JongodbServer {
  if (server === undefined) throw new Error('jongodb is not running (did beforeAll fail?)');
  return server;
}

/** Wraps a factory so that every store a test opened is closed after that test. */
function trackedFactory(open: StoreFactory): StoreFactory {
  const opened: AttuneStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return async () => {
    const store = await open();
    opened.push(store);
    return store;
  };
}

