/**
 * attune's composition root: the only place that wires things. It reads the configuration,
 * builds storage, NLU, content, the bot and the adapter, and starts the HTTP server.
 */
import type { AddressInfo } from 'node:net';
import { ConversationState } from 'botbuilder';
import type { Server } from 'restify';
import { AttuneBot } from './bots/attune-bot';
import { loadConfig, type AppConfig } from './config/app-config';
import { ContentLibrary } from './content/content-library';
import { isAttuneError } from './core/errors';
import { createLogger, type Logger } from './core/logger';
import { findProjectRoot } from './core/project-root';
import { createIntentRefiner, KNOWN_INTENTS } from './nlu/llm';
import { OpenAiHandoffSummariser } from './nlu/llm/openai-handoff-summariser';
import { loadRecognizer } from './nlu/load-recognizer';
import type { Recognizer } from './nlu/recognizer';
import type { AgentQueue } from './escalation/queue/agent-queue';
import { createAgentQueue } from './escalation/queue/create-agent-queue';
import { createEventBus } from './events/create-event-bus';
import type { EventBus } from './events/event-bus';
import { EscalationService } from './escalation/escalation-service';
import { FrustrationMeter } from './escalation/frustration-meter';
import { createBotAdapter, handleTurnErrors } from './server/bot-adapter';
import { AgentDesk } from './escalation/agent-desk';
import { registerAgentApi } from './server/agent-api';
import { registerStaffAuthRoutes } from './server/auth/routes';
import { StaffAuth } from './server/auth/staff-auth';
import { createServer } from './server/create-server';
import { ProactiveMessenger } from './server/proactive-messenger';
import { createStore } from './storage/create-store';
import type { AttuneStore } from './storage/ports';

export interface RunningAttune {
  readonly url: string;
  readonly server: Server;
  readonly store: AttuneStore;
  /** Stops accepting requests, lets in-flight turns finish, then closes storage. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Tests may pass an already-loaded recognizer so every suite does not load the models again. */
  readonly recognizer?: Recognizer;
}

export async function startAttune(config: AppConfig, logger: Logger, options: StartOptions = {}): Promise<RunningAttune> {
  const store = await createStore(config.storage);
  let queue: AgentQueue | undefined;
  let events: EventBus | undefined;
  try {
    queue = await createAgentQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger });
    events = await createEventBus(config.redisUrl, config.queuePrefix, logger);
    const summariser = config.openai && new OpenAiHandoffSummariser({ ...config.openai, logger });
    const escalations = new EscalationService(store.escalations, store.turns, queue, config.businessHours, config.escalation, logger, summariser);
    queue.onTimer((timer) => escalations.onTimer(timer));
    await escalations.reconcile();
    const [recognizer, content] = await Promise.all([
      options.recognizer ?? loadRecognizer(config.nluModelDir, logger),
      ContentLibrary.load(config.contentDir, config.defaultLocale),
    ]);
    const conversationState = new ConversationState(store.botState);
    const bot = new AttuneBot({
      conversationState,
      store,
      recognizer,
      content,
      escalation: config.escalation,
      escalations,
      businessHours: config.businessHours,
      intentRefiner: createIntentRefiner(config.openai, KNOWN_INTENTS, logger),
      frustrationMeter: new FrustrationMeter(config.escalation.frustrationWeights),
      defaultLocale: config.defaultLocale,
      logger,
    });
    const adapter = createBotAdapter(config.botCredentials);
    handleTurnErrors(adapter, { logger, content, conversationState });
    const server = createServer({ adapter, bot, store, logger });
    const staffAuth = new StaffAuth(store.agents, store.agentSessions);
    registerStaffAuthRoutes(server, staffAuth, logger);
    const messenger = new ProactiveMessenger(adapter, config.botCredentials?.appId ?? '');
    registerAgentApi(server, staffAuth, new AgentDesk(store.escalations, store.turns, store.conversations, queue, messenger, content, logger), logger);
    await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
    logger.info({ url, storage: store.kind, queue: config.redisUrl ? 'redis' : 'in-process', authenticated: config.botCredentials !== undefined }, 'attune listening');
    const openQueue = queue;
    const openEvents = events;
    return {
      url,
      server,
      store,
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await openQueue.close();
        await openEvents.close();
        await store.close();
      },
    };
  } catch (error) {
    await queue?.close();
    await events?.close();
    await store.close();
    throw error;
  }
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, findProjectRoot());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(isAttuneError(error) ? 78 : 1);
  }
  const logger = createLogger(config.logLevel);
  let running: RunningAttune;
  try {
    running = await startAttune(config, logger);
  } catch (error) {
    logger.fatal({ err: error, code: isAttuneError(error) ? error.code : undefined }, 'attune could not start');
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) void main();
