/**
 * Progressive profiling (DESIGN.md §5): at a calm, successful moment the bot asks at most one
 * preference question per conversation, never when the customer is upset, and remembers the answer.
 */
import type { CustomerPreferences } from '../storage/ports';
import { isAnswerShaped } from './answer-shape';
import type { CustomerSnapshot } from './customer-context';
import type { Tone } from './tone';

export const PROFILING_QUESTIONS = ['contactChannel', 'style'] as const;
export type ProfilingQuestion = (typeof PROFILING_QUESTIONS)[number];

export const CONTACT_CHANNELS = ['chat', 'email', 'phone', 'sms'] as const;
export const STYLES = ['concise', 'formal', 'friendly'] as const;

/** Answer options per question: the ids content labels as `choice.<id>`. */
export const PROFILING_CHOICES: Readonly<Record<ProfilingQuestion, readonly string[]>> = {
  contactChannel: CONTACT_CHANNELS,
  style: STYLES,
};

/** Frustration at or above this is not a calm moment. */
const CALM_BELOW = 0.15;

export interface ProfilingMoment {
  readonly customer?: CustomerSnapshot;
  readonly alreadyAsked: boolean;
  readonly frustration: number;
  readonly tone: Tone;
  /** The customer's request was served this turn (a task finished or they said thanks). */
  readonly succeeded: boolean;
}

/** The one question worth asking now, or undefined when this is not the moment. */
export function profilingQuestionFor(moment: ProfilingMoment): ProfilingQuestion | undefined {
  const { customer } = moment;
  if (!customer || moment.alreadyAsked || !moment.succeeded) return undefined;
  if (moment.frustration >= CALM_BELOW || (moment.tone !== 'neutral' && moment.tone !== 'warm')) return undefined;
  if (customer.contactChannel === undefined) return 'contactChannel';
  if (customer.style === undefined) return 'style';
  return undefined;
}

const ANSWER_WORDS: Readonly<Record<ProfilingQuestion, readonly (readonly [string, RegExp])[]>> = {
  contactChannel: [
    ['chat', /\b(chat|here|app|message)\b/i],
    ['email', /\be-?mail\b/i],
    ['phone', /\b(phone|call|ring)\b/i],
    ['sms', /\b(sms|text)\b/i],
  ],
  style: [
    ['concise', /\b(concise|short|brief|to the point)\b/i],
    ['formal', /\b(formal|professional)\b/i],
    ['friendly', /\b(friendly|relaxed|casual|chatty)\b/i],
  ],
};

/** Buttons longer than a short answer (content/en/profiling.lg). */
const LONG_LABELS: Readonly<Record<ProfilingQuestion, readonly string[]>> = {
  contactChannel: [],
  style: ['Short and to the point'],
};

/**
 * The option the customer's reply names, or undefined if it names none or is not shaped like an
 * answer (they moved on: "the app says my top up failed" does not choose the app).
 */
export function profilingAnswerOf(question: ProfilingQuestion, text: string): string | undefined {
  if (!isAnswerShaped(text, LONG_LABELS[question])) return undefined;
  return ANSWER_WORDS[question].find(([, words]) => words.test(text))?.[0];
}

/** The preferences after the answer. */
export function withAnswer(preferences: CustomerPreferences, question: ProfilingQuestion, answer: string): CustomerPreferences {
  if (question === 'contactChannel') return { ...preferences, contactChannel: answer };
  return isStyle(answer) ? { ...preferences, tone: answer } : preferences;
}

function isStyle(value: string): value is (typeof STYLES)[number] {
  return (STYLES as readonly string[]).includes(value);
}
