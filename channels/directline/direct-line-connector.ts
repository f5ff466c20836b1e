/**
 * How the bot's replies reach a built-in Direct Line conversation.
 *
 * The bot talks to every channel the same way: CloudAdapter sends a reply by calling the
 * Bot Connector REST API at the activity's `serviceUrl` with a `ConnectorClient`. Activities from
 * the built-in endpoint carry a serviceUrl of their own, DIRECT_LINE_SERVICE_URL, and for that URL
 * (and only that one) the adapter gets a real `ConnectorClient` whose HTTP client answers the
 * connector routes in this process instead of sending them over the network — the same seam
 * botbuilder uses for its streaming (named pipe / WebSocket) connections. So:
 *
 * - replies during a turn, typing, onTurnError's apology and proactive messages
 *   (`continueConversationAsync`: agent messages, queue updates) all take the normal path;
 * - /api/messages and every other channel are untouched (other serviceUrls go to the wrapped
 *   authentication, unchanged);
 * - with MicrosoftAppId configured no AAD token is fetched for our own conversations, and nothing
 *   leaves the process: the connector client has empty credentials, as botbuilder's streaming has.
 *
 * The serviceUrl is a reserved `.invalid` name (RFC 2606), so if anything ever tried it on the
 * network it would fail at once rather than reach somebody else's server.
 */
import type { Activity } from 'botbuilder';
import {
  BotFrameworkAuthentication,
  ConnectorClient,
  ConnectorFactory,
  MicrosoftAppCredentials,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClientOptions,
  type UserTokenClient,
} from 'botframework-connector';
import type { DirectLineDelivery } from './direct-line-delivery';

export const DIRECT_LINE_SERVICE_URL = 'https://directline.attune.invalid/';

type ConnectorHttpClient = NonNullable<ConnectorClientOptions['httpClient']>;
type OutboundRequest = Parameters<ConnectorHttpClient['sendRequest']>[0];
type OutboundResponse = Awaited<ReturnType<ConnectorHttpClient['sendRequest']>>;

const ACTIVITIES_PATH = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?\/?(?:\?.*)?$/;

/** Answers the Bot Connector routes the bot calls (`POST /v3/conversations/:id/activities[/:replyTo]`). */
export class DirectLineHttpClient implements ConnectorHttpClient {
  constructor(private readonly delivery: DirectLineDelivery) {}

  async sendRequest(request: OutboundRequest): Promise<OutboundResponse> {
    const match = ACTIVITIES_PATH.exec(new URL(request.url).pathname);
    if (!match) return respond(request, 404, { error: { code: 'NotFound', message: 'The built-in Direct Line supports sending activities only.' } });
    if (request.method !== 'POST') {
      // Direct Line (Azure's too) has no update or delete of activities.
      return respond(request, 405, { error: { code: 'MethodNotAllowed', message: `Direct Line does not support ${request.method} of activities.` } });
    }
    const activity = parseBody(request.body);
    const id = await this.delivery.deliver(decodeURIComponent(match[1]!), activity);
    if (id === undefined) return respond(request, 404, { error: { code: 'ConversationNotFound', message: 'The conversation has ended or expired.' } });
    return respond(request, 200, { id });
  }
}

/** Connector clients for DIRECT_LINE_SERVICE_URL that deliver in process. */
export class DirectLineConnectorFactory extends ConnectorFactory {
  private readonly httpClient: DirectLineHttpClient;

  constructor(delivery: DirectLineDelivery) {
    super();
    this.httpClient = new DirectLineHttpClient(delivery);
  }

  async create(serviceUrl: string): Promise<ConnectorClient> {
    if (!isDirectLineServiceUrl(serviceUrl)) throw new Error(`[DirectLineConnectorFactory]: not a built-in Direct Line serviceUrl: ${serviceUrl}`);
    return new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: DIRECT_LINE_SERVICE_URL, httpClient: this.httpClient });
  }
}

export function isDirectLineServiceUrl(serviceUrl: string | undefined): boolean {
  return serviceUrl === DIRECT_LINE_SERVICE_URL || serviceUrl === DIRECT_LINE_SERVICE_URL.slice(0, -1);
}

/**
 * The adapter's authentication, with connector clients for DIRECT_LINE_SERVICE_URL made in process
 * (see the file comment). Everything else is the wrapped authentication's, unchanged.
 */
export class DirectLineRoutingAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly directLine: DirectLineConnectorFactory,
  ) {
    super();
  }

  override authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateRequest(activity, authHeader);
  }

  override authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const inner = this.inner.createConnectorFactory(claimsIdentity);
    const directLine = this.directLine;
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return isDirectLineServiceUrl(serviceUrl) ? directLine.create(serviceUrl) : inner.create(serviceUrl, audience);
      }
    })();
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

function parseBody(body: unknown): Partial<Activity> {
  const value: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  if (typeof value !== 'object' || value === null) throw new Error('[DirectLineHttpClient]: the bot sent an activity that is not an object');
  return value as Partial<Activity>;
}

function respond(request: OutboundRequest, status: number, body: unknown): OutboundResponse {
  return { request, status, headers: request.headers, bodyAsText: JSON.stringify(body) };
}
