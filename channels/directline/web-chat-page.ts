/**
 * The customer's web page: `/` (web/chat/index.html), its script and styles under `/chat/`, the
 * official Web Chat bundle from node_modules at `/webchat/webchat.js` (no CDN), and
 * `POST /api/webchat/token`, which gives the page a Direct Line token and the base URL to use it
 * with: the built-in endpoint, or Azure's when DIRECT_LINE_SECRET is set.
 */
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import { isAttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { withApiErrors } from '../../server/auth/api-errors';
import { DEFAULT_CSP, serveFile, serveFolder } from '../../server/static-files';
import type { WebChatToken } from './azure-direct-line';

export interface WebChatPageOptions {
  readonly projectRoot: string;
  /** Gives the page a token; may throw AttuneError (rate limited, Azure unavailable). */
  readonly token: (req: Request, res: Response) => Promise<WebChatToken>;
  /** Another origin the page's client must reach (Azure Direct Line); absent for the built-in endpoint. */
  readonly directLineOrigin?: string;
  readonly logger: Logger;
}

export async function registerWebChatPage(server: Server, options: WebChatPageOptions): Promise<void> {
  const csp = pageCsp(options.directLineOrigin);
  const folder = path.join(options.projectRoot, 'web', 'chat');
  serveFile(server, '/', path.join(folder, 'index.html'), { csp });
  await serveFolder(server, '/chat/', folder, { csp });
  serveFile(server, '/webchat/webchat.js', path.join(options.projectRoot, 'node_modules', 'botframework-webchat', 'dist', 'webchat.js'), { csp });

  server.post('/api/webchat/token', withApiErrors(async (req, res) => {
    try {
      const token = await options.token(req, res);
      res.header('Cache-Control', 'no-store');
      res.send(200, token);
    } catch (error) {
      if (!isAttuneError(error, 'ATTUNE_DIRECT_LINE_UNAVAILABLE')) throw error;
      res.send(503, { code: error.code, message: error.message });
    }
  }, options.logger));
}

/** The default policy, plus the Azure Direct Line origin (HTTPS and its WebSocket) when used. */
function pageCsp(directLineOrigin: string | undefined): string {
  if (directLineOrigin === undefined) return DEFAULT_CSP;
  const origin = new URL(directLineOrigin);
  const socketOrigin = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  return DEFAULT_CSP.replace("connect-src 'self' ws: wss:", `connect-src 'self' ws: wss: ${origin.origin} ${socketOrigin}`);
}
