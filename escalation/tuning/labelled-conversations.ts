/**
 * The labelled conversations the frustration meter is tuned and measured on
 * (`escalation/data/frustration-labelled.jsonl`, described in `escalation/data/README.md`):
 * parsing with line-numbered errors, and the deterministic tune/test split.
 */
import { z } from 'zod';

export const DOMAINS = ['banking', 'retail', 'telecom', 'travel'] as const;
export type Domain = (typeof DOMAINS)[number];

const userTurnSchema = z.object({ role: z.literal('user'), text: z.string().min(1).max(10_000), dissatisfied: z.boolean() }).strict();
const botTurnSchema = z.object({ role: z.literal('bot'), text: z.string().min(1).max(10_000) }).strict();

export const labelledConversationSchema = z
  .object({
    id: z.string().min(1),
    domain: z.enum(DOMAINS),
    turns: z.array(z.discriminatedUnion('role', [userTurnSchema, botTurnSchema])).min(1),
  })
  .strict()
  .refine((conversation) => conversation.turns.some((turn) => turn.role === 'user'), { message: 'needs at least one user turn' });

export type LabelledConversation = z.infer<typeof labelledConversationSchema>;
export type LabelledUserTurn = z.infer<typeof userTurnSchema>;

/**
 * Parses one conversation per line; blank lines are skipped.
 * @throws Error naming every bad line (by number) and every duplicated id
 */
export function parseLabelledConversations(jsonl: string): LabelledConversation[] {
  const conversations: LabelledConversation[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  jsonl.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problems.push(`line ${lineNumber}: not JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    const result = labelledConversationSchema.safeParse(json);
    if (!result.success) {
      problems.push(`line ${lineNumber}: ${result.error.issues.map((issue) => `${issue.path.join('.') || 'conversation'}: ${issue.message}`).join('; ')}`);
      return;
    }
    const earlier = seen.get(result.data.id);
    if (earlier !== undefined) problems.push(`line ${lineNumber}: id ${result.data.id} already used on line ${earlier}`);
    seen.set(result.data.id, lineNumber);
    conversations.push(result.data);
  });
  if (problems.length > 0) throw new Error(`labelled conversations are invalid:\n  ${problems.join('\n  ')}`);
  return conversations;
}

export function userTurns(conversation: LabelledConversation): LabelledUserTurn[] {
  return conversation.turns.filter((turn): turn is LabelledUserTurn => turn.role === 'user');
}

export interface Split {
  readonly tune: LabelledConversation[];
  readonly test: LabelledConversation[];
}

/**
 * Splits by conversation (never by turn: turns of one conversation depend on each other),
 * stratified by domain and, within a domain, by whether the customer is ever dissatisfied, so
 * both parts keep each domain's share and its mix of happy and unhappy conversations. Within a
 * stratum, conversations are ordered by a hash of their id: the split depends on neither file
 * order nor a random seed, and adding a conversation moves at most one other across the line.
 */
export function splitTuneTest(conversations: readonly LabelledConversation[], testShare = 0.4): Split {
  if (!(testShare > 0 && testShare < 1)) throw new RangeError(`testShare must be between 0 and 1, got ${testShare}`);
  const tune: LabelledConversation[] = [];
  const test: LabelledConversation[] = [];
  for (const domain of DOMAINS) {
    for (const unhappy of [false, true]) {
      const ordered = conversations
        .filter((conversation) => conversation.domain === domain && everDissatisfied(conversation) === unhappy)
        .map((conversation) => ({ conversation, key: fnv1a(conversation.id) }))
        .sort((a, b) => a.key - b.key || (a.conversation.id < b.conversation.id ? -1 : 1));
      const testCount = Math.round(ordered.length * testShare);
      ordered.forEach(({ conversation }, index) => (index < testCount ? test : tune).push(conversation));
    }
  }
  return { tune, test };
}

export function everDissatisfied(conversation: LabelledConversation): boolean {
  return userTurns(conversation).some((turn) => turn.dissatisfied);
}

/** 32-bit FNV-1a: a stable, well-spread hash that needs no dependency. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
