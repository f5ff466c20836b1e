/**
 * Suggested replies for the agent (DESIGN.md §4): a few ready-to-edit messages for the chat the
 * agent has open. Offline they come from content templates (content/<locale>/agentDesk.lg), chosen
 * by why the chat came to a person, the customer's latest task and their mood; with an LLM
 * configured the model writes them (openai-reply-suggester.ts), the templates staying the fallback.
 */
import type { EscalationRecord, TurnRecord } from '../../storage/ports';
import type { Tone } from '../../personalization/tone';

export interface SuggestedReply {
  readonly text: string;
  readonly tone: Tone;
  readonly source: 'template' | 'llm';
}

export interface SuggestionRequest {
  readonly escalation: EscalationRecord;
  /** The conversation so far, oldest first (customer, bot, agent and note turns). */
  readonly transcript: readonly TurnRecord[];
}

export interface ReplySuggester {
  /** Never rejects for a model's sake: an unavailable model means template suggestions. */
  suggest(request: SuggestionRequest): Promise<SuggestedReply[]>;
}
