/**
 * Protective headers on every routed response. Pages (static-files.ts) set their own CSP after
 * these, which wins; the JSON APIs get a CSP that allows nothing, since a browser should never
 * render them, and `Cache-Control: no-store`, since they carry session-bound data.
 */
import type { Next, Request, Response, Server } from 'restify';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/** Paths whose responses are data for programs, never pages. */
const API_PREFIXES = ['/api/', '/metrics', '/healthz', '/readyz'];

export function setSecurityHeadersOnEveryResponse(server: Server): void {
  server.use((req: Request, res: Response, next: Next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    const path = req.path();
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) {
      res.setHeader('Content-Security-Policy', API_CSP);
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  });
}
