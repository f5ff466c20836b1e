import type { ExperimentRecord, Experiments } from '../../storage/ports';
import { at } from '../support/fixtures';
import { expectAttuneError } from '../support/expect-attune-error';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function anExperiment(overrides: Partial<ExperimentRecord> = {}): ExperimentRecord {
  return {
    id: 'exp-1',
    name: 'Warmer greeting',
    kind: 'template',
    target: 'greeting',
    controlVariantId: 'control',
    variants: [
      { id: 'control', weight: 1 },
      { id: 'warm', weight: 1, tone: 'warm' },
      { id: 'text', weight: 2, text: '- Hello there!\n- Hi there!' },
    ],
    status: 'draft',
    createdBy: 'casey',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function experimentsContract(newStore: StoreFactory): void {
  let experiments: Experiments;
  beforeEach(async () => {
    experiments = (await newStore()).experiments;
  });

  it('stores and returns an experiment exactly as written', async () => {
    await experiments.create(anExperiment());
    expect(await experiments.get('exp-1')).toEqual(anExperiment());
    expect(await experiments.get('nope')).toBeUndefined();
  });

  it('refuses a second experiment with the same id', async () => {
    await experiments.create(anExperiment());
    await expectAttuneError(experiments.create(anExperiment({ name: 'again' })), 'ATTUNE_STORAGE_CONFLICT');
  });

  it('lists newest first', async () => {
    await experiments.create(anExperiment({ id: 'old', createdAt: at(1) }));
    await experiments.create(anExperiment({ id: 'new', createdAt: at(5) }));
    expect((await experiments.list()).map((e) => e.id)).toEqual(['new', 'old']);
  });

  it('updates status, times and variants (a stopped variant keeps its reason)', async () => {
    await experiments.create(anExperiment());
    const started = await experiments.update('exp-1', { status: 'running', startedAt: at(10) }, at(10));
    expect(started).toMatchObject({ status: 'running', startedAt: at(10), updatedAt: at(10) });
    const variants = anExperiment().variants.map((v) => (v.id === 'text' ? { ...v, stoppedAt: at(20), stoppedReason: 'guardrail' } : v));
    const changed = await experiments.update('exp-1', { variants }, at(20));
    expect(changed?.variants[2]).toEqual({ id: 'text', weight: 2, text: '- Hello there!\n- Hi there!', stoppedAt: at(20), stoppedReason: 'guardrail' });
    expect(await experiments.update('nope', { status: 'stopped' }, at(30))).toBeUndefined();
  });

  it('records an exposure once per experiment and conversation', async () => {
    const exposure = { experimentId: 'exp-1', variantId: 'warm', conversationId: 'webchat:c1', audienceKey: 'cust-1', at: at(1) };
    expect(await experiments.recordExposure(exposure)).toBe(true);
    expect(await experiments.recordExposure({ ...exposure, variantId: 'control', at: at(2) })).toBe(false);
    expect(await experiments.recordExposure({ ...exposure, experimentId: 'exp-2' })).toBe(true);
    await experiments.recordExposure({ ...exposure, conversationId: 'webchat:c0', at: at(0) });
    expect(await experiments.exposures('exp-1')).toEqual([
      { ...exposure, conversationId: 'webchat:c0', at: at(0) },
      exposure,
    ]);
  });
}

describeOnEveryAdapter('Experiments', experimentsContract);
