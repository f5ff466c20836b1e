import type { Request } from 'restify';
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { StaffRole } from '../../storage/ports';
import { adminSessionToken } from './admin-session-cookie';
import { withApiErrors, type ApiHandler } from './api-errors';
import type { SignedInAgent, StaffAuth } from './staff-auth';
import type { StaffHandler } from './with-staff';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards an /admin route like {@link withStaff}, accepting the bearer header or the admin session
 * cookie (admin-session-cookie.ts). A cookie-authenticated request that changes something must
 * also come from this site's own pages: a cross-origin `Origin` is refused (403), on top of
 * SameSite=Strict, for browsers that do not honour it.
 */
export function withAdminSession(auth: StaffAuth, roles: readonly StaffRole[], handler: StaffHandler, logger: Logger): ApiHandler {
  return withApiErrors(async (req, res) => {
    const agent = await authenticateAdmin(auth, req);
    auth.requireRole(agent, roles);
    await handler(req, res, agent);
  }, logger);
}

async function authenticateAdmin(auth: StaffAuth, req: Request): Promise<SignedInAgent> {
  if (req.header('authorization') !== undefined) return auth.authenticate(req.header('authorization'));
  const agent = await auth.authenticateToken(adminSessionToken(req.header('cookie')));
  if (!SAFE_METHODS.has(req.method ?? 'GET') && !sameOrigin(req)) {
    throw new AttuneError('ATTUNE_FORBIDDEN', 'This change must come from the admin page on this site.');
  }
  return agent;
}

/** True when the request names no Origin (same-origin form posts may not) or names this host. */
function sameOrigin(req: Request): boolean {
  const origin = req.header('origin');
  if (origin === undefined || origin === '') return true;
  try {
    return new URL(origin).host === req.header('host');
  } catch {
    return false;
  }
}
