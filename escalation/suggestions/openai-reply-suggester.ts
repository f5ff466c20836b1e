/**
 * With an LLM configured, the suggested replies are written by the model from the conversation
 * and the handoff package, within a hard timeout. On timeout, error or an answer of the wrong
 * shape, the template suggestions are used instead: the agent always gets something to edit.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import type { Logger } from '../../core/logger';
import type { ReplySuggester, SuggestedReply, SuggestionRequest } from './reply-suggester';
import { toneForAgent } from './template-reply-suggester';

/** Turns the model sees (most recent last), how many replies we keep, and their longest length. */
const MAX_TURNS = 30;
const MAX_REPLIES = 3;
const MAX_REPLY_LENGTH = 600;

const answerSchema = z.object({ replies: z.array(z.string().trim().min(1)).min(1) });

const TONE_GUIDANCE = {
  neutral: 'clear and friendly',
  empathetic: 'empathetic: acknowledge the frustration and apologise once',
  reassuring: 'reassuring and calm: say what is being done to keep their money safe',
  warm: 'warm and upbeat',
} as const;

export interface OpenAiReplySuggesterOptions {
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Used when the model is slow, failing, or answers out of shape. */
  readonly fallback: ReplySuggester;
  readonly client?: OpenAI;
}

export class OpenAiReplySuggester implements ReplySuggester {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiReplySuggesterOptions) {
    if (!options.fallback) throw new Error('[OpenAiReplySuggester]: Missing parameter. fallback is required');
    this.client = options.client ?? new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async suggest(request: SuggestionRequest): Promise<SuggestedReply[]> {
    const tone = toneForAgent(request.escalation, request.transcript);
    const started = Date.now();
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.options.model,
          response_format: { type: 'json_object' },
          messages: [
            {
              role: 'system',
              content:
                `You help a bank customer-service agent who has taken over a chat from a bot. Write ${MAX_REPLIES} short alternative messages the agent could send next, ` +
                `${TONE_GUIDANCE[tone]}. The customer must not have to repeat anything they already said. Never promise refunds or amounts that are not in the notes. ` +
                'Answer with JSON: {"replies": ["…", "…", "…"]}.',
            },
            { role: 'user', content: promptOf(request) },
          ],
        },
        { signal, timeout: this.options.timeoutMs, maxRetries: 0 },
      );
      const parsed = answerSchema.safeParse(JSON.parse(completion.choices[0]?.message?.content ?? ''));
      if (!parsed.success) throw new Error('answer out of shape');
      return parsed.data.replies.slice(0, MAX_REPLIES).map((text) => ({ text: text.slice(0, MAX_REPLY_LENGTH), tone, source: 'llm' as const }));
    } catch (error) {
      // Never the text: the conversation is personal data.
      this.options.logger.warn({ reason: signal.aborted ? 'timeout' : 'error', ms: Date.now() - started, error: error instanceof Error ? error.name : 'unknown' }, 'LLM reply suggestions unavailable; using templates');
      return this.options.fallback.suggest(request);
    }
  }
}

function promptOf({ escalation, transcript }: SuggestionRequest): string {
  const conversation = transcript
    .filter((turn) => turn.role !== 'note')
    .slice(-MAX_TURNS)
    .map((turn) => `${turn.role === 'customer' ? 'Customer' : turn.role === 'agent' ? 'Agent' : 'Bot'}: ${turn.text.slice(0, 500)}`)
    .join('\n');
  return `Notes: ${escalation.handoff.summary}\nSuggested next step: ${escalation.handoff.nextBestAction}\n\nConversation:\n${conversation}`;
}
