/**
 * Where the Bot Framework's channel tokens are checked against. botbuilder uses the public
 * cloud's endpoints unless any one of them is given, and then it uses exactly the set it is given
 * (BotFrameworkAuthenticationFactory), so overriding one means passing all of them.
 *
 * `ToBotFromChannelOpenIdMetadataUrl` (Bot Framework's own setting name) is the only override
 * attune exposes: the OpenID metadata document whose signing keys channel JWTs must verify
 * against. It is for a sovereign or private cloud, and for tests that sign tokens with a local
 * key; in the public cloud leave it unset.
 */
import { CallerIdConstants } from 'botbuilder';
// botbuilder depends on botframework-connector (already used by server/bot-adapter.ts) without re-exporting these constants.
import { AuthenticationConstants } from 'botframework-connector';

export interface ChannelAuthenticationEndpoints {
  readonly ValidateAuthority: boolean;
  readonly ToChannelFromBotLoginUrl: string;
  readonly ToChannelFromBotOAuthScope: string;
  readonly ToBotFromChannelTokenIssuer: string;
  readonly OAuthUrl: string;
  readonly ToBotFromChannelOpenIdMetadataUrl: string;
  readonly ToBotFromEmulatorOpenIdMetadataUrl: string;
  readonly CallerId: string;
}

/** The public cloud's endpoints with the channel OpenID metadata document replaced. */
export function channelAuthenticationEndpoints(openIdMetadataUrl: string): ChannelAuthenticationEndpoints {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}
