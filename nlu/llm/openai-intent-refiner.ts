/**
 * A second opinion on the intent from an OpenAI chat model, asked only when the local classifier
 * is unsure. It can improve a turn but never break one: every failure returns the local prediction.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import type { Logger } from '../../core/logger';
import { OUT_OF_SCOPE, type IntentPrediction, type IntentScore } from '../types';

/** Local confidence below which the LLM is consulted (an `oos` prediction always is). */
export const DEFAULT_CONSULT_BELOW = 0.6;

/** The Recognizer analyses no more than this either; it also bounds the tokens sent per turn. */
const MAX_SENT_CHARACTERS = 2000;

export type RefinementReason = 'confident' | 'timeout' | 'error' | 'invalid_output' | 'unknown_intent';

export interface Refinement {
  readonly prediction: IntentPrediction;
  /** `llm` when the LLM's answer was used; `local` when the local prediction was kept. */
  readonly source: 'local' | 'llm';
  /** Why the local prediction was kept; absent when the LLM answered or the message was empty. */
  readonly reason?: RefinementReason;
}

export interface OpenAiIntentRefinerOptions {
  readonly apiKey: string;
  /** An OpenAI-compatible endpoint; absent means api.openai.com. */
  readonly baseUrl?: string;
  readonly model: string;
  /** Hard limit for one request, headers and body included; there are no retries. */
  readonly timeoutMs: number;
  /** The labels the LLM may choose from; `oos` is always allowed. */
  readonly intents: readonly string[];
  readonly logger: Logger;
  /** Local confidence below which the LLM is consulted; default `DEFAULT_CONSULT_BELOW`. */
  readonly consultBelow?: number;
  /** A ready client (tests, proxies); the timeout and no-retry policy are applied per request anyway. */
  readonly client?: OpenAI;
}

const llmAnswerSchema = z.object({
  intent: z.string(),
  confidence: z.number().min(0).max(1),
});

/** Thrown inside `refine` to carry a fallback reason to the single place that logs it. */
class RefinementFailure extends Error {
  constructor(
    readonly reason: RefinementReason,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(reason);
  }
}

export class OpenAiIntentRefiner {
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly consultBelow: number;
  private readonly allowedIntents: ReadonlySet<string>;
  private readonly systemPrompt: string;
  private readonly responseFormat: OpenAI.ResponseFormatJSONSchema;

  constructor(options: OpenAiIntentRefinerOptions) {
    if (!options) throw new Error('[OpenAiIntentRefiner]: Missing parameter. options is required');
    const { apiKey, baseUrl, model, timeoutMs, intents, logger, consultBelow = DEFAULT_CONSULT_BELOW, client } = options;
    if (!apiKey) throw new Error('[OpenAiIntentRefiner]: Missing parameter. apiKey is required');
    if (!model) throw new Error('[OpenAiIntentRefiner]: Missing parameter. model is required');
    if (!logger) throw new Error('[OpenAiIntentRefiner]: Missing parameter. logger is required');
    if (!intents || intents.length === 0) throw new Error('[OpenAiIntentRefiner]: Missing parameter. intents must not be empty');
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new Error('[OpenAiIntentRefiner]: Invalid parameter. timeoutMs must be a positive whole number');
    }
    if (!(consultBelow >= 0 && consultBelow <= 1)) {
      throw new Error('[OpenAiIntentRefiner]: Invalid parameter. consultBelow must be from 0 to 1');
    }

    this.model = model;
    this.timeoutMs = timeoutMs;
    this.logger = logger;
    this.consultBelow = consultBelow;
    this.client = client ?? new OpenAI({ apiKey, baseURL: baseUrl, timeout: timeoutMs, maxRetries: 0 });

    const allowed = [...new Set([...intents, OUT_OF_SCOPE])];
    this.allowedIntents = new Set(allowed);
    this.systemPrompt = [
      'You classify one message a customer sent to a bank\'s support chat.',
      'Answer with the single intent that best matches it and your confidence from 0 to 1.',
      `Answer "${OUT_OF_SCOPE}" when none of the intents fits.`,
      `Allowed intents: ${allowed.join(', ')}.`,
    ].join('\n');
    this.responseFormat = {
      type: 'json_schema',
      json_schema: {
        name: 'intent_choice',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            intent: { type: 'string', enum: allowed },
            confidence: { type: 'number', minimum: 0, maximum: 1 },
          },
          required: ['intent', 'confidence'],
          additionalProperties: false,
        },
      },
    };
  }

  /** True only when the local model is unsure, so confident turns never wait on the network. */
  shouldConsult(local: IntentPrediction): boolean {
    return local.intent === OUT_OF_SCOPE || local.confidence < this.consultBelow;
  }

  /**
   * Asks the LLM when the local prediction is unsure. Never throws and never takes longer than
   * `timeoutMs` (plus scheduling): on any problem the local prediction comes back with the reason.
   * Only the message text is sent; it is never logged.
   */
  async refine(text: string, local: IntentPrediction): Promise<Refinement> {
    if (!this.shouldConsult(local)) return { prediction: local, source: 'local', reason: 'confident' };
    const message = text.slice(0, MAX_SENT_CHARACTERS).trim();
    if (message === '') return { prediction: local, source: 'local' };

    const started = Date.now();
    try {
      const answer = await this.ask(message);
      this.logger.debug(
        { ms: Date.now() - started, localIntent: local.intent, llmIntent: answer.intent },
        'LLM intent refinement used',
      );
      return { prediction: merge(answer, local), source: 'llm' };
    } catch (error) {
      const failure = error instanceof RefinementFailure ? error : new RefinementFailure('error', { error: errorKind(error) });
      this.logger.warn(
        { reason: failure.reason, model: this.model, ms: Date.now() - started, ...failure.details },
        'LLM intent refinement failed; keeping the local prediction',
      );
      return { prediction: local, source: 'local', reason: failure.reason };
    }
  }

  private async ask(message: string): Promise<IntentScore> {
    // Our own signal covers reading the body too; the SDK's timeout stops at the response headers.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let content: string | null | undefined;
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: [
            { role: 'system', content: this.systemPrompt },
            { role: 'user', content: message },
          ],
          response_format: this.responseFormat,
        },
        { signal, timeout: this.timeoutMs, maxRetries: 0 },
      );
      content = completion.choices?.[0]?.message?.content;
    } catch (error) {
      if (signal.aborted || error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
        throw new RefinementFailure('timeout');
      }
      throw new RefinementFailure('error', { error: errorKind(error), status: error instanceof APIError ? error.status : undefined });
    }

    // Neither the reply nor the parse error is logged: a model can echo the customer's words.
    if (typeof content !== 'string') throw new RefinementFailure('invalid_output');
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      throw new RefinementFailure('invalid_output');
    }
    const parsed = llmAnswerSchema.safeParse(json);
    if (!parsed.success) throw new RefinementFailure('invalid_output');
    if (!this.allowedIntents.has(parsed.data.intent)) throw new RefinementFailure('unknown_intent');
    return parsed.data;
  }
}

/** The LLM's pick first, then the local alternatives it did not repeat. */
function merge(answer: IntentScore, local: IntentPrediction): IntentPrediction {
  // `oos` is "no intent", never an alternative (see IntentPrediction): keep the local ones as they are.
  if (answer.intent === OUT_OF_SCOPE) {
    return { intent: OUT_OF_SCOPE, confidence: answer.confidence, alternatives: local.alternatives };
  }
  return {
    intent: answer.intent,
    confidence: answer.confidence,
    alternatives: [answer, ...local.alternatives.filter((alternative) => alternative.intent !== answer.intent)],
  };
}

/** The error's class name only: SDK messages can quote the response body. */
function errorKind(error: unknown): string {
  return error instanceof Error ? error.constructor.name : typeof error;
}
