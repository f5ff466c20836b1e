/**
 * The whole AttuneBot for TestAdapter conversations, built the way the unit tests need it: a fresh
 * memory store, the in-process queue, the real content, the keyword recognizer, silent logs, and
 * the default escalation settings (threshold 0.7, three failed turns, 10-minute SLA, 30-minute
 * abandon). A test overrides only what it is about (recognizer, business hours, desk events,
 * clock) and closes the bot after each test.
 */
import path from 'node:path';
import pino from 'pino';
import { ConversationState } from 'botbuilder';
import { AttuneBot, type AttuneBotDependencies } from '../../bots/attune-bot';
import { ContentLibrary } from '../../content/content-library';
import { parseBusinessHours, type BusinessHours } from '../../escalation/business-hours';
import { EscalationService } from '../../escalation/escalation-service';
import { InProcessAgentQueue } from '../../escalation/queue/in-process-agent-queue';
import { createStore } from '../../storage/create-store';
import type { AttuneStore } from '../../storage/ports';
import { keywordRecognizer } from './keyword-recognizer';

/** Every hour of every day, in UTC: no test meets the after-hours path unless it asks for it. */
export const ALWAYS_OPEN: BusinessHours = parseBusinessHours('00:00-24:00', 'Mon-Sun', 'UTC');

/** The escalation timers the tests' bots run with (ms). */
export const TEST_TIMINGS = Object.freeze({ slaMs: 600_000, abandonAfterMs: 1_800_000 });

/** The project's content (content/), in English by default: load it once per test file. */
export function loadTestContent(): Promise<ContentLibrary> {
  return ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
}

export type TestBotOptions = Partial<Pick<AttuneBotDependencies, 'recognizer' | 'businessHours' | 'deskEvents' | 'now'>>;

export interface TestBot {
  readonly bot: AttuneBot;
  readonly store: AttuneStore;
  readonly queue: InProcessAgentQueue;
  /** Closes the queue and the store. */
  close(): Promise<void>;
}

/** A new bot on a new memory store; `content` from {@link loadTestContent}. */
export async function startTestBot(content: ContentLibrary, options: TestBotOptions = {}): Promise<TestBot> {
  const logger = pino({ level: 'silent' });
  const businessHours = options.businessHours ?? ALWAYS_OPEN;
  const store = await createStore({ kind: 'memory' });
  const queue = new InProcessAgentQueue({ logger });
  const bot = new AttuneBot({
    conversationState: new ConversationState(store.botState),
    store,
    recognizer: options.recognizer ?? keywordRecognizer(),
    content,
    escalation: { frustrationThreshold: 0.7, failedTurnsToEscalate: 3, ...TEST_TIMINGS },
    escalations: new EscalationService(store.escalations, store.turns, queue, businessHours, TEST_TIMINGS, logger),
    businessHours,
    defaultLocale: 'en',
    logger,
    ...(options.deskEvents === undefined ? {} : { deskEvents: options.deskEvents }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    bot,
    store,
    queue,
    close: async () => {
      await queue.close();
      await store.close();
    },
  };
}
