import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  MicrosoftAppCredentials,
  UserTokenClient,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { reuseConnectorClients } from '../../server/auth/reuse-connector-clients';

/** Builds a new client on every call, as botframework-connector does, and counts them. */
class CountingFactory extends ConnectorFactory {
  created = 0;
  failNext = false;

  async create(serviceUrl: string): Promise<ConnectorClient> {
    this.created += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('token endpoint unreachable');
    }
    return new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: serviceUrl });
  }
}

class CountingAuthentication extends BotFrameworkAuthentication {
  readonly factory = new CountingFactory();
  userTokenClients = 0;

  async authenticateRequest(_activity: Activity, _authHeader: string): Promise<AuthenticateRequestResult> {
    return { claimsIdentity: identityFor('bot-app'), connectorFactory: this.factory, audience: 'https://api.botframework.com' };
  }
  async authenticateStreamingRequest(): Promise<AuthenticateRequestResult> {
    throw new Error('not used');
  }
  createConnectorFactory(): ConnectorFactory {
    return this.factory;
  }
  async createUserTokenClient(): Promise<UserTokenClient> {
    this.userTokenClients += 1;
    return {} as UserTokenClient;
  }
}

function identityFor(appId: string): ClaimsIdentity {
  return new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: appId }], true);
}

describe('reuseConnectorClients', () => {
  it('hands out one connector client per app id, service URL and audience, built once', async () => {
    const inner = new CountingAuthentication();
    const auth = reuseConnectorClients(inner);
    const { connectorFactory } = await auth.authenticateRequest({} as Activity, 'Bearer x');
    const first = await connectorFactory!.create('https://smba.example/', 'aud');
    const again = await (await auth.authenticateRequest({} as Activity, 'Bearer x')).connectorFactory!.create('https://smba.example/', 'aud');

    expect(again).toBe(first);
    expect(inner.factory.created).toBe(1);
    expect(await connectorFactory!.create('https://other.example/', 'aud')).not.toBe(first);
    expect(await connectorFactory!.create('https://smba.example/', 'other-audience')).not.toBe(first);
    expect(await auth.createConnectorFactory(identityFor('another-app')).create('https://smba.example/', 'aud')).not.toBe(first);
    expect(await auth.createConnectorFactory(identityFor('bot-app')).create('https://smba.example/', 'aud')).toBe(first);
    expect(inner.factory.created).toBe(4);
  });

  it('does not keep a failed creation: the next turn builds the client again', async () => {
    const inner = new CountingAuthentication();
    const factory = reuseConnectorClients(inner).createConnectorFactory(identityFor('bot-app'));
    inner.factory.failNext = true;
    await expect(factory.create('https://smba.example/')).rejects.toThrow('token endpoint unreachable');
    await expect(factory.create('https://smba.example/')).resolves.toBeInstanceOf(ConnectorClient);
    expect(inner.factory.created).toBe(2);
  });

  it('hands out one user-token client per app id', async () => {
    const inner = new CountingAuthentication();
    const auth = reuseConnectorClients(inner);
    const first = await auth.createUserTokenClient(identityFor('bot-app'));
    expect(await auth.createUserTokenClient(identityFor('bot-app'))).toBe(first);
    await auth.createUserTokenClient(identityFor('another-app'));
    expect(inner.userTokenClients).toBe(2);
  });

  it('leaves the rest of the authentication as it was', async () => {
    const inner = new CountingAuthentication();
    inner.getOriginatingAudience = () => 'origin';
    expect(reuseConnectorClients(inner).getOriginatingAudience()).toBe('origin');
  });
});
