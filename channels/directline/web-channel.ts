/**
 * The customer web channel, wired in one place for index.ts: the web chat page, and either the
 * built-in Direct Line 3.0 endpoint (default: self-hosted, nothing to configure) or Azure Direct
 * Line when DIRECT_LINE_SECRET is set (then Azure relays to /api/messages, and the built-in
 * endpoint is not served).
 *
 * Two steps, because the adapter is built in between: `routeConnectors` wraps the adapter's
 * authentication so the bot's replies reach built-in conversations in process (see
 * direct-line-connector.ts); `start` adds the routes and the WebSocket stream.
 */
import type { ActivityHandler, ChannelAccount, CloudAdapter } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { Request, Response, Server } from 'restify';
import type { DirectLineSettings } from '../../config/app-config';
import type { Logger } from '../../core/logger';
import type { EventBus } from '../../events/event-bus';
import { AzureDirectLineTokens } from './azure-direct-line';
import { NewConversationLimit } from './new-conversation-limit';
import { DirectLineConnectorFactory, DirectLineRoutingAuthentication } from './direct-line-connector';
import { DEFAULT_CONVERSATION_LIMITS, DirectLineConversations, type ConversationLimits } from './direct-line-conversations';
import { DirectLineDelivery } from './direct-line-delivery';
import { DIRECT_LINE_PREFIX, DirectLineRoutes } from './direct-line-routes';
import { DirectLineStream } from './direct-line-stream';
import { DirectLineTokens } from './direct-line-tokens';
import { DirectLineTurns } from './direct-line-turns';
import { registerWebChatPage } from './web-chat-page';

export interface WebChannelOptions {
  readonly settings: DirectLineSettings;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly projectRoot: string;
  readonly limits?: ConversationLimits;
  /** The client's address for rate limiting (default: the TCP peer). */
  readonly clientAddress?: (req: Request) => string | undefined;
}

export interface WebChannelStart {
  readonly adapter: CloudAdapter;
  readonly bot: ActivityHandler;
  /** MicrosoftAppId, or '' in local mode. */
  readonly botAppId: string;
}

interface BuiltIn {
  readonly kind: 'built-in';
  readonly conversations: DirectLineConversations;
  readonly delivery: DirectLineDelivery;
  readonly connectors: DirectLineConnectorFactory;
  readonly tokens: DirectLineTokens;
  readonly stream: DirectLineStream;
}

interface Azure {
  readonly kind: 'azure';
  readonly tokens: AzureDirectLineTokens;
  readonly domain: string;
}

export class WebChannel {
  private readonly directLine: BuiltIn | Azure;

  constructor(private readonly options: WebChannelOptions) {
    const { settings, events, logger } = options;
    if (settings.azure) {
      this.directLine = { kind: 'azure', tokens: new AzureDirectLineTokens(settings.azure, logger), domain: settings.azure.domain };
      return;
    }
    const conversations = new DirectLineConversations(options.limits ?? DEFAULT_CONVERSATION_LIMITS);
    const delivery = new DirectLineDelivery(conversations, events, logger);
    const tokens = new DirectLineTokens(settings.tokenSecret);
    if (tokens.ephemeralKey) {
      logger.warn('direct line: DIRECT_LINE_TOKEN_SECRET is not set, so tokens are signed with a random key of this process; set one shared key when running several instances');
    }
    this.directLine = {
      kind: 'built-in',
      conversations,
      delivery,
      tokens,
      connectors: new DirectLineConnectorFactory(delivery),
      stream: new DirectLineStream(conversations, tokens, logger),
    };
  }

  /** For createBotAdapter: built-in conversations get their replies in process; others are untouched. */
  readonly routeConnectors = (auth: BotFrameworkAuthentication): BotFrameworkAuthentication =>
    this.directLine.kind === 'built-in' ? new DirectLineRoutingAuthentication(auth, this.directLine.connectors) : auth;

  async start(server: Server, start: WebChannelStart): Promise<void> {
    const { settings, logger, projectRoot } = this.options;
    const directLine = this.directLine;
    if (directLine.kind === 'azure') {
      const newConversations = new NewConversationLimit(settings.tokensPerMinute, logger, this.options.clientAddress);
      const token = async (req: Request, res: Response) => {
        newConversations.check(req, res);
        return directLine.tokens.generate();
      };
      await registerWebChatPage(server, { projectRoot, logger, token, directLineOrigin: directLine.domain });
      return;
    }
    const bot: ChannelAccount = { id: start.botAppId || 'attune', name: 'attune', role: 'bot' };
    const routes = new DirectLineRoutes({
      conversations: directLine.conversations,
      tokens: directLine.tokens,
      bot,
      logger,
      tokensPerMinute: settings.tokensPerMinute,
      clientAddress: this.options.clientAddress,
      turns: new DirectLineTurns(start.adapter, start.bot, directLine.connectors, start.botAppId, logger),
    });
    routes.register(server);
    directLine.stream.attach(server);
    await directLine.delivery.start();
    await registerWebChatPage(server, {
      projectRoot,
      logger,
      // The page's own route: a relative domain, so the page works under any host name.
      token: async (req, res) => ({ ...routes.generateToken(req, res), domain: DIRECT_LINE_PREFIX }),
    });
  }

  /** Closes the streams and stops taking relayed deliveries; call before the server closes. */
  async close(): Promise<void> {
    if (this.directLine.kind !== 'built-in') return;
    await this.directLine.stream.close();
    await this.directLine.delivery.close();
    this.directLine.conversations.close();
  }
}
