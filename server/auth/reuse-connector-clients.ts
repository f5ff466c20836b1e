/**
 * CloudAdapter asks its authentication for a fresh connector factory on every request, and that
 * factory builds a fresh ConnectorClient (credentials, an HTTP pipeline of a dozen policies) for
 * every turn, and a fresh user-token client besides: together about a quarter of a turn's CPU,
 * spent rebuilding the same objects. Neither client holds per-turn state (their credentials fetch
 * and refresh tokens themselves), so this view of the authentication hands out one connector
 * client per bot app id, service URL and audience, and one user-token client per bot app id, and
 * builds each only the first time.
 */
import {
  AuthenticationConstants,
  ConnectorFactory,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { sendActivitiesAsJson } from './send-activities-as-json';

/** Enough for every channel service URL a bot talks to; a full cache starts over rather than grow. */
const MAX_CLIENTS = 256;

export function reuseConnectorClients(auth: BotFrameworkAuthentication): BotFrameworkAuthentication {
  const clients = new Map<string, Promise<ConnectorClient>>();
  const reusing = (factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory =>
    new ReusingConnectorFactory(factory, appIdOf(claimsIdentity), clients);

  const view = Object.create(auth) as BotFrameworkAuthentication;
  view.authenticateRequest = async (activity, authHeader) => {
    const result = await auth.authenticateRequest(activity, authHeader);
    return result.connectorFactory === undefined ? result : { ...result, connectorFactory: reusing(result.connectorFactory, result.claimsIdentity) };
  };
  view.createConnectorFactory = (claimsIdentity) => reusing(auth.createConnectorFactory(claimsIdentity), claimsIdentity);

  const userTokenClients = new Map<string, Promise<UserTokenClient>>();
  view.createUserTokenClient = (claimsIdentity) =>
    reuse(userTokenClients, appIdOf(claimsIdentity), () => auth.createUserTokenClient(claimsIdentity));
  return view;
}

class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: Map<string, Promise<ConnectorClient>>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return reuse(this.clients, `${this.appId}\n${serviceUrl}\n${audience ?? ''}`, async () => sendActivitiesAsJson(await this.inner.create(serviceUrl, audience)));
  }
}

/** The client cached under `key`, created on first use. A failed creation is not kept: the next turn tries again. */
function reuse<T>(clients: Map<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
  const cached = clients.get(key);
  if (cached !== undefined) return cached;
  if (clients.size >= MAX_CLIENTS) clients.clear();
  const created = create();
  clients.set(key, created);
  created.catch(() => clients.delete(key));
  return created;
}

/** The bot app id the factory's credentials are for, as botframework-connector derives it from the claims. */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return (
    claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}
