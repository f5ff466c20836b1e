/** Experiments' building blocks: sticky assignment, intervals, the guardrail, and variants in rendering. */
import pino from 'pino';
import { ContentLibrary, type TemplateExperiments } from '../../content/content-library';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import { ExperimentService } from '../../experiments/experiment-service';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { assignVariant, bucketOf } from '../../experiments/assignment';
import type { VariantOutcome } from '../../experiments/experiment-outcomes';
import { guardrailVerdicts } from '../../experiments/guardrail';
import { wilson, zHigherThan } from '../../experiments/statistics';
import { channelProfile } from '../../personalization/channel-profile';

const experiment = {
  id: 'exp-1',
  controlVariantId: 'control',
  variants: [
    { id: 'control', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 2 },
  ],
};

describe('sticky assignment', () => {
  it('gives the same customer the same variant every time, and splits traffic by weight', () => {
    const keys = Array.from({ length: 4000 }, (_, i) => `customer-${i}`);
    const first = keys.map((key) => assignVariant(experiment, key).id);
    expect(keys.map((key) => assignVariant(experiment, key).id)).toEqual(first);
    const share = (id: string) => first.filter((v) => v === id).length / keys.length;
    expect(share('control')).toBeCloseTo(0.25, 1);
    expect(share('b')).toBeCloseTo(0.25, 1);
    expect(share('c')).toBeCloseTo(0.5, 1);
  });

  it('differs between experiments for the same customer (independent buckets)', () => {
    expect(bucketOf('exp-1', 'customer-1')).not.toBe(bucketOf('exp-2', 'customer-1'));
  });

  it("sends a stopped variant's customers to control and moves nobody else", () => {
    const stopped = { ...experiment, variants: experiment.variants.map((v) => (v.id === 'b' ? { ...v, stoppedAt: new Date() } : v)) };
    for (let i = 0; i < 500; i++) {
      const before = assignVariant(experiment, `k${i}`).id;
      expect(assignVariant(stopped, `k${i}`).id).toBe(before === 'b' ? 'control' : before);
    }
  });
});

describe('statistics', () => {
  it('gives the Wilson 95% interval', () => {
    const p = wilson(8, 20);
    expect(p.rate).toBe(0.4);
    expect(p.low).toBeCloseTo(0.2188, 3);
    expect(p.high).toBeCloseTo(0.6134, 3);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 0)).toEqual({ successes: 0, trials: 0, rate: 0, low: 0, high: 1 });
  });

  it('tests one-sided "variant worse than control"', () => {
    expect(zHigherThan({ successes: 30, trials: 100 }, { successes: 10, trials: 100 })).toBeGreaterThan(3);
    expect(zHigherThan({ successes: 10, trials: 100 }, { successes: 30, trials: 100 })).toBeLessThan(0);
  });
});

describe('guardrail', () => {
  const outcome = (variantId: string, control: boolean, negatives: number, n: number): VariantOutcome => {
    const p = wilson(negatives, n);
    return { variantId, control, conversations: n, escalation: p, containment: p, csatSatisfied: p, offerAcceptance: p, negative: p };
  };

  it('stops a variant whose negative signals are clearly worse than control', () => {
    const verdicts = guardrailVerdicts([outcome('control', true, 5, 100), outcome('b', false, 25, 100), outcome('c', false, 6, 100)]);
    expect(verdicts.map((v) => v.variantId)).toEqual(['b']);
    expect(verdicts[0].reason).toMatch(/negative signals 25\.0% \(n=100\) vs control 5\.0%/);
  });

  it('waits for the minimum sample before judging', () => {
    expect(guardrailVerdicts([outcome('control', true, 0, 20), outcome('b', false, 10, 20)])).toEqual([]);
  });
});

describe('content library with experiments and short channels', () => {
  const files = {
    en: {
      'general.lg': [
        '# helloName', '- Hi', '',
        '# greeting.neutral', '- ${helloName()}, how can I help?', '',
        '# greeting.warm', '- ${helloName()}! Lovely to see you.', '',
        '# greeting.neutral.short', '- Hi! How can I help?', '',
      ].join('\n'),
    },
  };
  const audience = { key: 'cust-1', conversationId: 'webchat:c1' };

  it("renders a variant's text in its file's context and stamps the experiment", () => {
    const library = ContentLibrary.fromText(files, 'en');
    const chosen: string[] = [];
    const experiments: TemplateExperiments = {
      choose: (template) => (chosen.push(template), template === 'greeting' ? { experimentId: 'exp-1', variantId: 'b', text: '- ${helloName()} there, what can I do?' } : undefined),
    };
    library.useExperiments(experiments);
    const reply = library.render({ template: 'greeting', tone: 'neutral', channel: channelProfile('webchat'), audience });
    expect(reply.text).toBe('Hi there, what can I do?');
    expect(reply.channelData).toEqual({ attune: { template: 'greeting', tone: 'neutral', experiment: { id: 'exp-1', variant: 'b' } } });
    // Without an audience (previews, staff messages) no experiment applies.
    expect(library.text({ template: 'greeting', tone: 'neutral', channel: channelProfile('webchat') })).toBe('Hi, how can I help?');
  });

  it('renders a tone variant chosen by an experiment', () => {
    const library = ContentLibrary.fromText(files, 'en');
    library.useExperiments({ choose: () => ({ experimentId: 'exp-2', variantId: 'warm', tone: 'warm' }) });
    expect(library.text({ template: 'greeting', tone: 'neutral', channel: channelProfile('webchat'), audience })).toBe('Hi! Lovely to see you.');
  });

  it('uses the .short variant on SMS and the full one elsewhere', () => {
    const library = ContentLibrary.fromText(files, 'en');
    expect(library.text({ template: 'greeting', tone: 'neutral', channel: channelProfile('sms') })).toBe('Hi! How can I help?');
    expect(library.text({ template: 'greeting', tone: 'neutral', channel: channelProfile('webchat') })).toBe('Hi, how can I help?');
  });

  it('swaps in published content for every holder of the library', () => {
    const live = ContentLibrary.fromText(files, 'en');
    live.replaceWith(ContentLibrary.fromText({ en: { 'general.lg': '# greeting.neutral\n- Published!' } }, 'en'));
    expect(live.text({ template: 'greeting', tone: 'warm', channel: channelProfile('webchat') })).toBe('Published!');
  });
});

describe('template experiment variants that would break a reply', () => {
  const files = { en: { 'general.lg': ['# helloName', '- Hi', '', '# thanks.neutral', '- ${helloName()}, you are welcome.', ''].join('\n') } };
  const audience = { key: 'cust-1', conversationId: 'webchat:c1' };
  let store: AttuneStore;
  let content: ContentLibrary;
  let service: ExperimentService;
  const create = (target: string, text: string) =>
    service.create({ name: 'x', kind: 'template', target, controlVariantId: 'control', variants: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1, text }] }, 'robin');

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    content = ContentLibrary.fromText(files, 'en');
    service = new ExperimentService({ experiments: store.experiments, analytics: store.analytics, events: new InProcessEventBus(), content, logger: pino({ level: 'silent' }) });
  });
  afterEach(() => store.close());

  it('refuses a variant that parses but throws when rendered', async () => {
    expect((await expectAttuneError(create('thanks', '- ${div(1, 0)}'), 'ATTUNE_REQUEST_INVALID')).message).toMatch(/Variant b: it fails to render/);
    await expect(create('thanks', '- ${helloName()} again')).resolves.toMatchObject({ status: 'draft' });
  });

  it('refuses a target the bot never renders by that name (a tone variant)', async () => {
    expect((await expectAttuneError(create('thanks.neutral', '- Cheers'), 'ATTUNE_REQUEST_INVALID')).message).toMatch(/never renders "thanks\.neutral".*"thanks"/);
  });

  it('checks a draft again when it starts: a publish since may have removed what a variant uses', async () => {
    const draft = await create('thanks', '- ${helloName()} again');
    content.replaceWith(ContentLibrary.fromText({ en: { 'general.lg': '# thanks.neutral\n- You are welcome.' } }, 'en'));
    expect((await expectAttuneError(service.start(draft.id), 'ATTUNE_REQUEST_INVALID')).message).toMatch(/Variant b/);
    expect((await service.get(draft.id)).status).toBe('draft');
  });

  it('gives the customer today\'s copy, unstamped, when a running variant cannot render', () => {
    content.useExperiments({ choose: () => ({ experimentId: 'exp-1', variantId: 'b', text: '- ${div(1, 0)}' }) });
    const reply = content.render({ template: 'thanks', tone: 'neutral', channel: channelProfile('webchat'), audience });
    expect(reply.text).toBe('Hi, you are welcome.');
    expect(reply.channelData).toEqual({ attune: { template: 'thanks', tone: 'neutral' } });
    content.useExperiments({ choose: () => ({ experimentId: 'exp-1', variantId: 'b', text: '- ${noSuchHelper()}' }) });
    expect(content.text({ template: 'thanks', tone: 'neutral', channel: channelProfile('webchat'), audience })).toBe('Hi, you are welcome.');
  });
});
