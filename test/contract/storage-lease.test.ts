/**
 * The lease in the store's bot-state `Storage` (storage/storage-lease.ts), and the guardrail watch
 * built on it: of several instances sharing one store, one runs the guardrail per interval. Run on
 * every adapter, since it relies on each one's eTag compare-and-set.
 */
import pino from 'pino';
import { GuardrailWatch } from '../../experiments/guardrail-watch';
import type { AttuneStore } from '../../storage/ports';
import { StorageLease } from '../../storage/storage-lease';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

const logger = pino({ level: 'silent' });
const MINUTE = 60_000;

function leaseContract(newStore: StoreFactory): void {
  let store: AttuneStore;
  beforeEach(async () => {
    store = await newStore();
  });
  const leaseFor = (holder: string) => new StorageLease(store.botState, 'job', holder);

  it('is held by one holder until it expires; the holder renews it, then another takes it over', async () => {
    const [a, b] = [leaseFor('a'), leaseFor('b')];
    const t0 = Date.parse('2025-01-15T10:00:00Z');
    expect(await a.acquire(MINUTE, t0)).toBe(true);
    expect(await b.acquire(MINUTE, t0 + 30_000)).toBe(false);
    expect(await a.acquire(MINUTE, t0 + MINUTE)).toBe(true); // renewed until t0 + 2 min
    expect(await b.acquire(MINUTE, t0 + 90_000)).toBe(false);
    expect(await b.acquire(MINUTE, t0 + 2 * MINUTE + 1)).toBe(true); // a stopped renewing
    expect(await a.acquire(MINUTE, t0 + 2 * MINUTE + 2)).toBe(false);
  });

  it('goes to exactly one of several holders that ask at once, whether it is new or expired', async () => {
    const holders = Array.from({ length: 5 }, (_, i) => leaseFor(`h${i}`));
    const t0 = Date.parse('2025-01-15T10:00:00Z');
    const fresh = await Promise.all(holders.map((lease) => lease.acquire(MINUTE, t0)));
    expect(fresh.filter(Boolean)).toHaveLength(1);
    const expired = await Promise.all(holders.map((lease) => lease.acquire(MINUTE, t0 + 2 * MINUTE)));
    expect(expired.filter(Boolean)).toHaveLength(1);
  });

  it('is released only by its holder, and then goes to another holder at once', async () => {
    const [a, b] = [leaseFor('a'), leaseFor('b')];
    const t0 = Date.now();
    expect(await a.acquire(MINUTE, t0)).toBe(true);
    expect(await b.release()).toBe(false); // not b's to release
    expect(await b.acquire(MINUTE, t0 + 1)).toBe(false);
    expect(await a.release()).toBe(true);
    expect(await b.acquire(MINUTE, t0 + 2)).toBe(true); // well before a's minute is up
    expect(await a.release()).toBe(false); // a no longer holds it, so b keeps it
    expect(await a.acquire(MINUTE, t0 + 3)).toBe(false);
  });

  it('is not released by a holder whose lease another took over after it expired', async () => {
    const [a, b] = [leaseFor('a'), leaseFor('b')];
    const t0 = Date.now();
    expect(await a.acquire(MINUTE, t0)).toBe(true);
    expect(await b.acquire(MINUTE, t0 + 2 * MINUTE)).toBe(true);
    expect(await a.release()).toBe(false);
    expect(await a.acquire(MINUTE, t0 + 2 * MINUTE + 1)).toBe(false);
  });

  it('keeps leases of different names apart, and out of the way of conversation state', async () => {
    await store.botState.write({ 'webchat/conversations/c1': { n: 1 } });
    expect(await new StorageLease(store.botState, 'one', 'a').acquire(MINUTE)).toBe(true);
    expect(await new StorageLease(store.botState, 'two', 'b').acquire(MINUTE)).toBe(true);
    expect((await store.botState.read(['webchat/conversations/c1']))['webchat/conversations/c1']).toMatchObject({ n: 1 });
  });

  it('runs the guardrail only on the instance that holds the lease', async () => {
    const runs: string[] = [];
    const watches = ['i1', 'i2', 'i3'].map(
      (instance) =>
        new GuardrailWatch({
          experiments: { applyGuardrails: async () => (runs.push(instance), []) },
          lease: new StorageLease(store.botState, 'experiment-guardrail', instance),
          logger,
          intervalMs: MINUTE,
        }),
    );
    // Every instance ticks (three times, within one interval): the holder runs at each of its ticks, the others never.
    for (let tick = 0; tick < 3; tick++) await Promise.all(watches.map((watch) => watch.tick()));
    expect(runs).toHaveLength(3);
    expect(new Set(runs).size).toBe(1);
  });

  it('hands the guardrail to another instance at its next tick when the holder stops', async () => {
    const runs: string[] = [];
    const watchOf = (instance: string) =>
      new GuardrailWatch({
        experiments: { applyGuardrails: async () => (runs.push(instance), []) },
        lease: new StorageLease(store.botState, 'experiment-guardrail', instance),
        logger,
        intervalMs: MINUTE,
      });
    const [first, second] = [watchOf('i1'), watchOf('i2')];
    expect(await first.tick()).toBe(true);
    expect(await second.tick()).toBe(false);
    await first.stop();
    expect(await second.tick()).toBe(true); // without waiting for the lease to expire
    expect(runs).toEqual(['i1', 'i2']);
  });
}

describeOnEveryAdapter('Storage lease', leaseContract);
