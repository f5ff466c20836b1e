/**
 * Azure Direct Line instead of the built-in endpoint: when DIRECT_LINE_SECRET is set, the web chat
 * page gets its token from Azure, exchanged here for the secret (which never reaches the browser),
 * with a fresh `dl_` user id embedded so a customer cannot speak as someone else. Azure then
 * relays the conversation to /api/messages like any other channel.
 */
import { randomBytes } from 'node:crypto';
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';

export interface AzureDirectLineSettings {
  readonly secret: string;
  /** e.g. https://directline.botframework.com/v3/directline (or a regional one). */
  readonly domain: string;
}

export interface WebChatToken {
  readonly conversationId: string;
  readonly token: string;
  readonly expires_in: number;
  /** The Direct Line base URL the page's client talks to. */
  readonly domain: string;
}

const TIMEOUT_MS = 5000;

export class AzureDirectLineTokens {
  constructor(
    private readonly settings: AzureDirectLineSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * @throws AttuneError ATTUNE_DIRECT_LINE_UNAVAILABLE when Azure does not answer with a token
   */
  async generate(): Promise<WebChatToken> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.domain}/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.settings.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: `dl_${randomBytes(16).toString('base64url')}` } }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      this.logger.error({ err: error, domain: this.settings.domain }, 'azure direct line: token request failed');
      throw new AttuneError('ATTUNE_DIRECT_LINE_UNAVAILABLE', 'The chat service is not reachable; try again shortly.', { cause: error });
    }
    const body = (await response.json().catch(() => undefined)) as Partial<WebChatToken> | undefined;
    if (!response.ok || typeof body?.token !== 'string' || typeof body.conversationId !== 'string') {
      this.logger.error({ status: response.status, domain: this.settings.domain }, 'azure direct line: no token in the answer');
      throw new AttuneError('ATTUNE_DIRECT_LINE_UNAVAILABLE', 'The chat service did not start a conversation; try again shortly.');
    }
    return { conversationId: body.conversationId, token: body.token, expires_in: Number(body.expires_in ?? 0), domain: this.settings.domain };
  }
}
