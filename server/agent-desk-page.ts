/**
 * The agent desk page at /agent (web/agent: index.html, desk.js, desk.css). Its policy is stricter
 * than the default: no inline styles and no WebSocket, since the page needs neither; anything
 * injected through customer text could not run or load from elsewhere even if it reached the DOM.
 */
import path from 'node:path';
import type { Server } from 'restify';
import { serveFile, serveFolder } from './static-files';

export const AGENT_DESK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Serves the desk from `<webDir>/agent`: the page at `/agent` and its files under `/agent/`. */
export async function registerAgentDeskPage(server: Server, webDir: string): Promise<void> {
  const folder = path.join(webDir, 'agent');
  serveFile(server, '/agent', path.join(folder, 'index.html'), { csp: AGENT_DESK_CSP });
  await serveFolder(server, '/agent/', folder, { csp: AGENT_DESK_CSP });
}
