/**
 * The admin session cookie. Browser UIs such as Bull Board cannot send a bearer header, so a
 * supervisor's sign-in also sets the session token as a cookie that:
 *
 * - is `HttpOnly` (page scripts cannot read it) and `SameSite=Strict` (no other site can make the
 *   browser send it, which is what stops cross-site request forgery);
 * - has `Path=/admin`, so the browser sends it to the admin routes only, and only the admin
 *   routes accept it (the agent and content APIs still require the bearer header);
 * - is `Secure` when the request came over https, directly or through a proxy that says so in
 *   `X-Forwarded-Proto`. Trusting that header is harmless here: a client that lies about it only
 *   makes its own cookie stricter.
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

/** Whether the client reached us over https (directly, or per the proxy's X-Forwarded-Proto). */
export function isHttpsRequest(req: Request): boolean {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true) return true;
  const forwarded = req.header('x-forwarded-proto');
  return typeof forwarded === 'string' && forwarded.split(',')[0]!.trim().toLowerCase() === 'https';
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
