/**
 * Serves the web pages (customer chat, agent desk, content studio, insights) and the scripts they
 * load, from files in the project or in node_modules: no CDN, nothing fetched from elsewhere.
 * Every page gets the same protective headers; a page's own CSP can widen what it needs.
 * Scripts several pages load (web/shared, e.g. the staff sign-in) are served once, at `/shared/`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Response, Server } from 'restify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** Scripts and styles only from this server; no framing; nothing inline but styles (Web Chat sets them). */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export interface ServeOptions {
  /** Content-Security-Policy for this file (default DEFAULT_CSP). */
  readonly csp?: string;
}

/** Sets the headers every response of a page should carry. */
export function setSecurityHeaders(res: Response, csp = DEFAULT_CSP): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Serves one file at one GET route. The file is read once, on first request, and kept: these are
 * a handful of small pages plus the Web Chat bundle.
 */
export function serveFile(server: Server, route: string, file: string, options: ServeOptions = {}): void {
  const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  let body: Promise<Buffer> | undefined;
  server.get(route, async (_req, res) => {
    body ??= fs.readFile(file);
    let bytes: Buffer;
    try {
      bytes = await body;
    } catch {
      body = undefined;
      res.send(404, { code: 'ATTUNE_NOT_FOUND', message: `${route} is not available on this server.` });
      return;
    }
    setSecurityHeaders(res, options.csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': bytes.length });
    res.end(bytes);
  });
}

/** Serves every file of a folder (not its subfolders) under a URL prefix, e.g. `/agent/assets/`. */
export async function serveFolder(server: Server, urlPrefix: string, folder: string, options: ServeOptions = {}): Promise<void> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isFile()) serveFile(server, `${urlPrefix}${entry.name}`, path.join(folder, entry.name), options);
  }
}

/** Serves `<webDir>/shared` under `/shared/`: the scripts several pages load (e.g. the staff sign-in). Call it once. */
export async function serveSharedScripts(server: Server, webDir: string): Promise<void> {
  await serveFolder(server, '/shared/', path.join(webDir, 'shared'));
}
