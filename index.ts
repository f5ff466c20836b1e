/**
 * attune's composition root: the only place that wires things. It reads the configuration,
 * builds storage, NLU, content, the bot and the adapter, and starts the HTTP server.
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConversationStateSavedEachTurn } from './bots/conversation-state';
import type { Server } from 'restify';
import { AttuneBot } from './bots/attune-bot';
import { loadConfig, type AppConfig } from './config/app-config';
import { ContentLibrary } from './content/content-library';
import { ContentPublisher } from './content/content-publisher';
import { PreviewProfiles } from './content/preview-profiles';
import { ExperimentRouter } from './experiments/experiment-router';
import { ExperimentService } from './experiments/experiment-service';
import { GUARDRAIL_LEASE, GuardrailWatch, leaseHolderId } from './experiments/guardrail-watch';
import { InsightsService } from './insights/insights-service';
import { MaskCardNumbers } from './server/mask-card-numbers';
import { registerContentApi } from './server/content-api';
import { registerContentPages } from './server/content-pages';
import { serveSharedScripts } from './server/static-files';
import { registerInsightsApi } from './server/insights-api';
import { isAttuneError } from './core/errors';
import { createLogger, type Logger } from './core/logger';
import { findProjectRoot } from './core/project-root';
import { createIntentRefiner, KNOWN_INTENTS } from './nlu/llm';
import { OpenAiHandoffSummariser } from './nlu/llm/openai-handoff-summariser';
import { loadRecognizer } from './nlu/load-recognizer';
import type { Recognizer } from './nlu/recognizer';
import { startNluThreads } from './nlu/threads/start-nlu-threads';
import { createAgentQueue } from './escalation/queue/create-agent-queue';
import { createEventBus } from './events/create-event-bus';
import { EscalationService } from './escalation/escalation-service';
import { FrustrationMeter } from './escalation/frustration-meter';
import { createBotAdapter, handleTurnErrors } from './server/bot-adapter';
import { WebChannel } from './channels/directline/web-channel';
import { AgentDesk } from './escalation/agent-desk';
import { registerAgentApi } from './server/agent-api';
import { registerAgentDeskPage } from './server/agent-desk-page';
import { DeskEventStream } from './server/desk-event-stream';
import { BusDeskEvents } from './escalation/desk-events';
import { createReplySuggester } from './escalation/suggestions/create-reply-suggester';
import { registerStaffAuthRoutes } from './server/auth/routes';
import { StaffAuth } from './server/auth/staff-auth';
import { createServer } from './server/create-server';
import { ProactiveMessenger } from './server/proactive-messenger';
import { createStore } from './storage/create-store';
import { StorageLease } from './storage/storage-lease';
import { ShutdownStack } from './core/shutdown-stack';
import { clientAddressOf } from './server/client-address';
import { AttuneMetrics } from './observability/metrics';
import { observeHttp, registerMetricsEndpoint } from './observability/metrics-endpoint';
import { observeStore } from './observability/observe-store';
import { agentQueueDepth, bullMqQueueDepth } from './observability/queue-depth';
import { TurnMetricsMiddleware } from './observability/turn-metrics-middleware';
import { registerAdminRoutes } from './server/admin/admin-routes';
import { openBullMqQueueViews } from './server/admin/bullmq-queue-views';
import { setSecurityHeadersOnEveryResponse } from './server/auth/security-headers';
import { TokenBuckets } from './server/rate-limit';
import { limitDirectLineMessages } from './server/rate-limit-messages';
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
  /** How often idle agent-desk event streams get a heartbeat (default 15 s); tests shorten it. */
  readonly deskHeartbeatMs?: number;
}

export async function startAttune(config: AppConfig, logger: Logger, options: StartOptions = {}): Promise<RunningAttune> {
  const metrics = new AttuneMetrics();
  // Escalations, queue waits, handle times, CSAT and NLU confidence are counted where they are stored.
  const store = observeStore(await createStore(config.storage, logger), metrics);
  // Everything started is stopped in reverse order, on close and when the start fails half-way.
  const shutdown = new ShutdownStack(logger);
  shutdown.push('store', () => store.close());
  try {
    const queue = await createAgentQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix, logger });
    shutdown.push('agent queue', () => queue.close());
    const queueViews = config.redisUrl ? openBullMqQueueViews(config.redisUrl, config.queuePrefix, logger) : undefined;
    if (queueViews) shutdown.push('queue views', () => queueViews.close());
    metrics.useQueueDepth(queueViews ? bullMqQueueDepth(queueViews.chats) : agentQueueDepth(queue));
    const events = await createEventBus(config.redisUrl, config.queuePrefix, logger, { publishTimeoutMs: config.eventBusPublishTimeoutMs });
    shutdown.push('event bus', () => events.close());
    const summariser = config.openai && new OpenAiHandoffSummariser({ ...config.openai, logger });
    const deskEvents = new BusDeskEvents(events);
    const escalations = new EscalationService(store.escalations, store.turns, queue, config.businessHours, config.escalation, logger, summariser, deskEvents);
    queue.onTimer((timer) => escalations.onTimer(timer));
    await escalations.reconcile();
    const [recognizer, content] = await Promise.all([
      options.recognizer ?? loadRecognizer(config.nluModelDir, logger),
      ContentLibrary.load(config.contentDir, config.defaultLocale),
    ]);
    // The bot renders through `content`: it follows published versions and running experiments.
    const publisher = new ContentPublisher({ versions: store.contentVersions, events, live: content, contentDir: config.contentDir, defaultLocale: config.defaultLocale, logger });
    const experimentRouter = new ExperimentRouter(store.experiments, logger);
    shutdown.push('content publisher', () => publisher.stop());
    shutdown.push('experiment router', () => experimentRouter.stop());
    await Promise.all([publisher.start(), experimentRouter.start(events)]);
    content.useExperiments(experimentRouter);
    // Tests that pass their own recognizer keep it on the main thread.
    const nluThreads = config.nluThreads > 0 && !options.recognizer ? await startNluThreads({ threads: config.nluThreads, modelDir: config.nluModelDir, local: recognizer, logger, countMainThread: (reason) => metrics.nluAnsweredOnMainThread(reason) }) : undefined;
    if (nluThreads) shutdown.push('nlu threads', () => nluThreads.close());
    const conversationState = new ConversationStateSavedEachTurn(store.botState);
    const bot = new AttuneBot({
      conversationState,
      store,
      recognizer: nluThreads ?? recognizer,
      content,
      escalation: config.escalation,
      escalations,
      businessHours: config.businessHours,
      intentRefiner: createIntentRefiner(config.openai, KNOWN_INTENTS, logger),
      frustrationMeter: new FrustrationMeter(config.escalation.frustrationWeights),
      defaultLocale: config.defaultLocale,
      logger,
      deskEvents,
      offerExperiments: experimentRouter,
    });
    const clientAddress = clientAddressOf(config.trustedProxyHops);
    const projectRoot = findProjectRoot();
    const webDir = path.join(projectRoot, 'web');
    const webChannel = new WebChannel({ settings: config.directLine, events, logger, projectRoot, clientAddress });
    const adapter = createBotAdapter(config.botCredentials, webChannel.routeConnectors);
    handleTurnErrors(adapter, { logger, content, conversationState });
    // First: nothing after it may see a customer's full card number.
    adapter.use(new MaskCardNumbers(content, logger));
    adapter.use(new TurnMetricsMiddleware(metrics));
    // Per-conversation message limit: on /api/messages after the channel token is checked
    // (create-server.ts), on the built-in Direct Line as middleware (below).
    const messageLimit = config.conversationRateLimit ? new TokenBuckets(config.conversationRateLimit) : undefined;
    const server = createServer({ adapter, bot, store, logger, messageLimit });
    // Last in, first out: the desk's event streams and the web chat sockets (pushed after this)
    // end first, since open streams would keep server.close() waiting; storage closes last.
    shutdown.push('http server', () => new Promise<void>((resolve) => server.close(() => resolve())));
    shutdown.push('web channel', () => webChannel.close());
    setSecurityHeadersOnEveryResponse(server);
    if (config.conversationRateLimit) limitDirectLineMessages(server, { limit: config.conversationRateLimit });
    registerMetricsEndpoint(server, metrics, { token: config.metricsToken });
    observeHttp(server, metrics);
    const staffAuth = new StaffAuth(store.agents, store.agentSessions);
    registerStaffAuthRoutes(server, staffAuth, logger, { clientAddress });
    registerAdminRoutes(server, staffAuth, queueViews, logger);
    const messenger = new ProactiveMessenger(adapter, config.botCredentials?.appId ?? '');
    const deskStream = await DeskEventStream.start(events, logger, { heartbeatMs: options.deskHeartbeatMs });
    shutdown.push('desk event streams', () => deskStream.close());
    const deskAssist = { stream: deskStream, suggester: createReplySuggester(content, config.openai, logger) };
    registerAgentApi(server, staffAuth, new AgentDesk(store.escalations, store.turns, store.conversations, queue, config.escalation, messenger, content, logger, deskEvents), logger, deskAssist);
    await registerAgentDeskPage(server, webDir);
    const experimentService = new ExperimentService({ experiments: store.experiments, analytics: store.analytics, events, content, logger });
    registerContentApi(server, { auth: staffAuth, publisher, experiments: experimentService, previewProfiles: PreviewProfiles.demo(), defaultLocale: config.defaultLocale, logger });
    registerInsightsApi(server, staffAuth, new InsightsService(store.analytics, experimentService, config.escalation.frustrationThreshold), logger);
    await registerContentPages(server, projectRoot);
    await serveSharedScripts(server, webDir);
    // Once per interval across all instances: the holder of the guardrail lease in the store runs it.
    const guardrailLease = new StorageLease(store.botState, GUARDRAIL_LEASE, leaseHolderId(os.hostname()));
    const guardrails = new GuardrailWatch({ experiments: experimentService, lease: guardrailLease, logger, intervalMs: config.experimentGuardrailIntervalMs });
    guardrails.start();
    shutdown.push('experiment guardrails', () => guardrails.stop());
    await webChannel.start(server, { adapter, bot, botAppId: config.botCredentials?.appId ?? '' });
    await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
    logger.info({ url, storage: store.kind, queue: config.redisUrl ? 'redis' : 'in-process', authenticated: config.botCredentials !== undefined }, 'attune listening');
    return { url, server, store, close: () => shutdown.run() };
  } catch (error) {
    await shutdown.run();
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
