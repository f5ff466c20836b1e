import type { Logger } from '../../core/logger';
import { createLogger } from '../../core/logger';
import { createIntentRefiner, KNOWN_INTENTS, OpenAiIntentRefiner, type OpenAiIntentRefinerOptions } from '../../nlu/llm';
import { CONVERSATIONAL_INTENTS, type IntentPrediction } from '../../nlu/types';
import { FakeOpenAi } from '../support/fake-openai';

const CUSTOMER_TEXT = 'my new card still has not turned up, it was meant to come last week';
/** Generous so only the timeout tests depend on timing. */
const RELAXED_TIMEOUT_MS = 10_000;
/** Upper bound on the fallback latency above timeoutMs: room for a loaded CI machine. */
const SCHEDULING_SLACK_MS = 1500;

const unsure: IntentPrediction = {
  intent: 'oos',
  confidence: 0.42,
  alternatives: [
    { intent: 'card_arrival', confidence: 0.42 },
    { intent: 'card_delivery_estimate', confidence: 0.31 },
    { intent: 'lost_or_stolen_card', confidence: 0.1 },
  ],
};

const confident: IntentPrediction = {
  intent: 'card_arrival',
  confidence: 0.93,
  alternatives: [
    { intent: 'card_arrival', confidence: 0.93 },
    { intent: 'card_delivery_estimate', confidence: 0.04 },
  ],
};

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

function capturingLogger(): { logger: Logger; lines: string[]; warnings: () => LogLine[] } {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const warnings = () => lines.map((line) => JSON.parse(line) as LogLine).filter((line) => line.level === 40);
  return { logger, lines, warnings };
}

describe('OpenAiIntentRefiner against an OpenAI-compatible server', () => {
  const server = new FakeOpenAi();
  let log: ReturnType<typeof capturingLogger>;

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.reset();
    log = capturingLogger();
  });

  function refiner(options: Partial<OpenAiIntentRefinerOptions> = {}): OpenAiIntentRefiner {
    return new OpenAiIntentRefiner({
      apiKey: 'test-key',
      baseUrl: server.url,
      model: 'gpt-test-mini',
      timeoutMs: RELAXED_TIMEOUT_MS,
      intents: KNOWN_INTENTS,
      logger: log.logger,
      ...options,
    });
  }

  /** The turn kept the local prediction, and one warning says why without quoting the customer. */
  function expectLocalFallback(result: Awaited<ReturnType<OpenAiIntentRefiner['refine']>>, reason: string): void {
    expect(result).toEqual({ prediction: unsure, source: 'local', reason });
    expect(log.warnings()).toEqual([expect.objectContaining({ reason, model: 'gpt-test-mini' })]);
    expect(log.lines.join('\n')).not.toContain('turned up');
  }

  it('uses the LLM intent for an unsure turn, with its pick first and the local alternatives after it', async () => {
    server.behaviour = { kind: 'answer', intent: 'card_delivery_estimate', confidence: 0.88 };

    const result = await refiner().refine(CUSTOMER_TEXT, unsure);

    expect(result).toEqual({
      source: 'llm',
      prediction: {
        intent: 'card_delivery_estimate',
        confidence: 0.88,
        alternatives: [
          { intent: 'card_delivery_estimate', confidence: 0.88 },
          { intent: 'card_arrival', confidence: 0.42 },
          { intent: 'lost_or_stolen_card', confidence: 0.1 },
        ],
      },
    });
    expect(log.warnings()).toEqual([]);
  });

  it('keeps an LLM answer of oos as oos, leaving the local alternatives as they were', async () => {
    server.behaviour = { kind: 'answer', intent: 'oos', confidence: 0.9 };

    const result = await refiner().refine(CUSTOMER_TEXT, { ...unsure, intent: 'card_arrival', confidence: 0.5 });

    expect(result).toEqual({ source: 'llm', prediction: { intent: 'oos', confidence: 0.9, alternatives: unsure.alternatives } });
  });

  it('sends the configured model, a strict JSON schema of the allowed intents and nothing but the message', async () => {
    server.behaviour = { kind: 'answer', intent: 'card_arrival', confidence: 0.7 };

    await refiner().refine(CUSTOMER_TEXT, unsure);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer test-key');
    const body = request!.body;
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'response_format']);
    expect(body.model).toBe('gpt-test-mini');
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'intent_choice',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            intent: { type: 'string', enum: [...KNOWN_INTENTS] },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
          },
          required: ['intent', 'confidence'],
          additionalProperties: false,
        },
      },
    });
    const messages = body.messages as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(messages[1]!.content).toBe(CUSTOMER_TEXT);
    for (const intent of ['card_arrival', 'lost_or_stolen_card', 'human_request', 'complaint', 'oos']) {
      expect(messages[0]!.content).toContain(intent);
    }
    // The customer's words appear once, in the user message, and nowhere else in the request.
    expect(JSON.stringify(body).split('turned up')).toHaveLength(2);
  });

  it('offers the LLM all 77 BANKING77 intents, the conversational ones and oos', () => {
    expect(KNOWN_INTENTS).toHaveLength(77 + CONVERSATIONAL_INTENTS.length + 1);
    expect(new Set(KNOWN_INTENTS).size).toBe(KNOWN_INTENTS.length);
    expect(KNOWN_INTENTS).toEqual(expect.arrayContaining([...CONVERSATIONAL_INTENTS, 'oos', 'card_arrival', 'wrong_exchange_rate_for_cash_withdrawal']));
  });

  it('keeps the local prediction when the LLM is slower than the timeout, and answers on time', async () => {
    const timeoutMs = 300;
    server.behaviour = { kind: 'slow', delayMs: 5000, intent: 'card_delivery_estimate', confidence: 0.9 };

    const started = performance.now();
    const result = await refiner({ timeoutMs }).refine(CUSTOMER_TEXT, unsure);
    const elapsed = performance.now() - started;

    expectLocalFallback(result, 'timeout');
    expect(elapsed).toBeLessThan(timeoutMs + SCHEDULING_SLACK_MS);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the local prediction when the response body stalls after the headers', async () => {
    const timeoutMs = 300;
    server.behaviour = { kind: 'stalled_body' };

    const started = performance.now();
    const result = await refiner({ timeoutMs }).refine(CUSTOMER_TEXT, unsure);
    const elapsed = performance.now() - started;

    expectLocalFallback(result, 'timeout');
    expect(elapsed).toBeLessThan(timeoutMs + SCHEDULING_SLACK_MS);
  });

  it('keeps the local prediction on an HTTP 500, without retrying', async () => {
    server.behaviour = { kind: 'http_error', status: 500 };

    const result = await refiner().refine(CUSTOMER_TEXT, unsure);

    expectLocalFallback(result, 'error');
    expect(log.warnings()[0]).toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the local prediction when the server cannot be reached', async () => {
    const unreachable = new FakeOpenAi();
    await unreachable.start();
    const baseUrl = unreachable.url;
    await unreachable.stop();

    const result = await refiner({ baseUrl }).refine(CUSTOMER_TEXT, unsure);

    expectLocalFallback(result, 'error');
  });

  it.each([
    ['text that is not JSON', 'Sure! The customer wants card_arrival.'],
    ['JSON of the wrong shape', '{"label":"card_arrival"}'],
    ['a confidence outside 0..1', '{"intent":"card_arrival","confidence":7}'],
  ])('keeps the local prediction when the LLM answers %s', async (_case, content) => {
    server.behaviour = { kind: 'content', content };

    const result = await refiner().refine(CUSTOMER_TEXT, unsure);

    expectLocalFallback(result, 'invalid_output');
  });

  it('keeps the local prediction when the LLM names an intent that is not in the list', async () => {
    server.behaviour = { kind: 'answer', intent: 'open_crypto_wallet', confidence: 0.97 };

    const result = await refiner().refine(CUSTOMER_TEXT, unsure);

    expectLocalFallback(result, 'unknown_intent');
  });

  it('does not consult the LLM for a confident local prediction, so the turn never waits on the network', async () => {
    server.behaviour = { kind: 'slow', delayMs: 5000, intent: 'card_delivery_estimate', confidence: 0.9 };
    const llm = refiner();

    expect(llm.shouldConsult(confident)).toBe(false);
    const result = await llm.refine(CUSTOMER_TEXT, confident);

    expect(result).toEqual({ prediction: confident, source: 'local', reason: 'confident' });
    expect(server.requests).toHaveLength(0);
  });

  it('consults the LLM for oos and for confidence below the bar (0.6 by default, configurable)', () => {
    const llm = refiner();
    expect(llm.shouldConsult({ ...confident, intent: 'oos' })).toBe(true);
    expect(llm.shouldConsult({ ...confident, confidence: 0.59 })).toBe(true);
    expect(llm.shouldConsult({ ...confident, confidence: 0.6 })).toBe(false);

    const stricter = refiner({ consultBelow: 0.8 });
    expect(stricter.shouldConsult({ ...confident, confidence: 0.7 })).toBe(true);
    expect(stricter.shouldConsult({ ...confident, confidence: 0.85 })).toBe(false);
  });

  it('sends nothing for an empty message', async () => {
    const result = await refiner().refine('   ', unsure);

    expect(result).toEqual({ prediction: unsure, source: 'local' });
    expect(server.requests).toHaveLength(0);
  });

  it('rejects options it cannot work with', () => {
    expect(() => refiner({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => refiner({ intents: [] })).toThrow(/intents/);
    expect(() => refiner({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => refiner({ consultBelow: 1.5 })).toThrow(/consultBelow/);
  });

  describe('createIntentRefiner', () => {
    it('returns no refiner when no OpenAI key is configured', () => {
      expect(createIntentRefiner(undefined, KNOWN_INTENTS, log.logger)).toBeUndefined();
    });

    it('builds a refiner that talks to the configured endpoint and model', async () => {
      server.behaviour = { kind: 'answer', intent: 'lost_or_stolen_card', confidence: 0.8 };
      const config = { apiKey: 'configured-key', baseUrl: server.url, model: 'configured-model', timeoutMs: RELAXED_TIMEOUT_MS };

      const llm = createIntentRefiner(config, KNOWN_INTENTS, log.logger);
      const result = await llm!.refine(CUSTOMER_TEXT, unsure);

      expect(result.source).toBe('llm');
      expect(result.prediction.intent).toBe('lost_or_stolen_card');
      expect(server.requests[0]!.body.model).toBe('configured-model');
      expect(server.requests[0]!.headers.authorization).toBe('Bearer configured-key');
    });
  });
});
