/**
 * The admin session cookie. Browser UIs such as Bull Board cannot send a bearer header, so a
 * supervisor's sign-in also sets the session token as a cookie that:
 *
 * - is `HttpOnly` (page scripts cannot read it) and `SameSite=Strict` (no other site can make the
 *   browser send it, which is what stops cross-site request forgery);
 * - has `Path=/admin`, so the browser sends it to the admin routes only, and only the admin
 *   routes accept it (the agent and content APIs still require the bearer header);
 * - is `Secure` (sent over https only) unless the request reached the bot on plain http straight
 *   from this machine: see {@link adminCookieIsSecure}.
 *
 * The cookie holds the same session token as the bearer header (only its hash is stored), so
 * signing out or expiry ends both.
 */
import type { Request } from 'restify';
import type { StaffRole } from '../../storage/ports';

/** Roles that may use the /admin pages, and so get the admin session cookie at sign-in. */
export const ADMIN_ROLES: readonly StaffRole[] = ['supervisor'];

export const ADMIN_SESSION_COOKIE = 'attune_admin';
export const ADMIN_PATH = '/admin';

/** Headers a proxy adds: a request with any of them did not come straight from the browser. */
const PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'forwarded'] as const;

/**
 * Whether the admin cookie is marked `Secure`: always, except for a request that came on plain
 * http from a loopback address with no proxy header, which is someone on this machine using
 * http://localhost:3978 (no network to read the cookie on). Whether a proxy saw https is not asked:
 * proxies overwrite X-Forwarded-Proto with their own hop's scheme (nginx's `$scheme` is http behind
 * a TLS load balancer), so trusting it left the cookie without `Secure` exactly where it mattered.
 * Browsers accept a Secure cookie from http://localhost, so local use through a proxy works too.
 * A proxy on the same machine must add X-Forwarded-For or X-Forwarded-Proto (nginx, Caddy and the
 * Azure ingresses do); a client that adds one itself only makes its own cookie stricter.
 */
export function adminCookieIsSecure(req: Pick<Request, 'headers' | 'socket'>): boolean {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true) return true;
  const proxied = PROXY_HEADERS.some((name) => req.headers[name] !== undefined);
  return proxied || !isLoopback(req.socket?.remoteAddress);
}


/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what a dual-stack socket reports). */
function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.toLowerCase().startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The Set-Cookie value that starts an admin session ending at `expiresAt`. */
export function adminSessionCookie(token: string, expiresAt: Date, secure: boolean, now: Date = new Date()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return cookie(token, maxAge, secure);
}

/** The Set-Cookie value that removes the admin session cookie. */
export function clearedAdminSessionCookie(secure: boolean): string {
  return cookie('', 0, secure);
}

/** The admin session token sent in a Cookie header, if any. */
export function adminSessionToken(cookieHeader: string | undefined): string | undefined {
  if (typeof cookieHeader !== 'string') return undefined;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === ADMIN_SESSION_COOKIE) {
      const value = part.slice(separator + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${ADMIN_SESSION_COOKIE}=${value}`, `Path=${ADMIN_PATH}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}
