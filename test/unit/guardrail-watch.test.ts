/**
 * The guardrail watch's use of its lease, with a fake lease and a fake experiment service: the
 * lease outlasts one interval and is renewed while a slow check runs, so a check never overlaps
 * another instance's, and it is handed back on stop. Storage behaviour itself is covered by
 * test/contract/storage-lease.test.ts.
 */
import pino from 'pino';
import { GuardrailWatch } from '../../experiments/guardrail-watch';

const MINUTE = 60_000;
const logger = pino({ level: 'silent' });

/** A lease that records what the watch asks of it; `held` decides what acquire answers. */
class FakeLease {
  held = true;
  readonly calls: string[] = [];
  readonly ttls: number[] = [];

  async acquire(ttlMs: number): Promise<boolean> {
    this.calls.push('acquire');
    this.ttls.push(ttlMs);
    return this.held;
  }

  async release(): Promise<boolean> {
    this.calls.push('release');
    return true;
  }
}

/** A guardrail check that runs until the test finishes it. */
function slowExperiments() {
  let finish = () => {};
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    finish: () => finish(),
    applyGuardrails: () => {
      runs += 1;
      return new Promise<[]>((resolve) => {
        finish = () => resolve([]);
      });
    },
  };
}

describe('GuardrailWatch', () => {
  it('takes the lease for longer than one interval', async () => {
    const lease = new FakeLease();
    const watch = new GuardrailWatch({ experiments: { applyGuardrails: async () => [] }, lease, logger, intervalMs: MINUTE });
    expect(await watch.tick()).toBe(true);
    expect(lease.ttls).toHaveLength(1);
    expect(lease.ttls[0]).toBeGreaterThan(MINUTE);
  });

  it('renews the lease at ticks during a check slower than the interval, without starting another', async () => {
    const lease = new FakeLease();
    const experiments = slowExperiments();
    const watch = new GuardrailWatch({ experiments, lease, logger, intervalMs: MINUTE });
    const check = watch.tick();
    await new Promise((resolve) => setImmediate(resolve)); // the check has the lease and is running
    for (let tick = 0; tick < 2; tick++) {
      void watch.tick(); // the next interval, while the check still runs
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(experiments.runs).toBe(1);
    expect(lease.calls).toEqual(['acquire', 'acquire', 'acquire']);
    experiments.finish();
    expect(await check).toBe(true);
  });

  it('releases the lease on stop, after the check in progress has finished', async () => {
    const lease = new FakeLease();
    const experiments = slowExperiments();
    const watch = new GuardrailWatch({ experiments, lease, logger, intervalMs: MINUTE });
    watch.start();
    void watch.tick();
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = watch.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lease.calls).toEqual(['acquire']); // not while the check still runs
    experiments.finish();
    await stopped;
    expect(lease.calls).toEqual(['acquire', 'release']);
  });
});
