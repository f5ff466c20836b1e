/**
 * botframework-connector answers a channel token with a bad signature (or a malformed one) by
 * rethrowing jsonwebtoken's own error, which has no status, so CloudAdapter answers 500: a forged
 * token looked like a server fault. This view of the authentication turns every such error into
 * the 401 AuthenticationError the connector uses for the other refusals (expired, wrong audience).
 */
import { StatusCodes } from 'botbuilder';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';

/** jsonwebtoken's error classes (JsonWebTokenError, TokenExpiredError, NotBeforeError). */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

export function refuseInvalidChannelTokens(auth: BotFrameworkAuthentication): BotFrameworkAuthentication {
  const view = Object.create(auth) as BotFrameworkAuthentication;
  view.authenticateRequest = (activity, authHeader) => auth.authenticateRequest(activity, authHeader).catch(asUnauthorized);
  view.authenticateStreamingRequest = (authHeader, channelIdHeader) => auth.authenticateStreamingRequest(authHeader, channelIdHeader).catch(asUnauthorized);
  return view;
}

function asUnauthorized(error: unknown): never {
  if (error instanceof Error && TOKEN_ERRORS.has(error.name)) throw new AuthenticationError(`Unauthorized. ${error.message}`, StatusCodes.UNAUTHORIZED);
  throw error;
}
