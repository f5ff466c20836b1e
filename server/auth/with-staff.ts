import type { Request, Response } from 'restify';
import type { Logger } from '../../core/logger';
import type { StaffRole } from '../../storage/ports';
import { withApiErrors, type ApiHandler } from './api-errors';
import type { SignedInAgent, StaffAuth } from './staff-auth';

/** A route handler that runs for a signed-in staff member with an allowed role. */
export type StaffHandler = (req: Request, res: Response, agent: SignedInAgent) => Promise<void>;

/**
 * Guards a restify route: authenticates `Authorization: Bearer <token>`, checks the role, then
 * calls `handler` with the agent. Errors from any step or from the handler are answered as JSON
 * `{ code, message }` (401, 403, 400, 404, 409, 429, 503; 500 logged).
 *
 * @param roles the roles allowed; `ALL_STAFF_ROLES` for anyone signed in. An empty list allows nobody.
 *
 * @example server.get('/api/agent/queue', withStaff(auth, ['agent', 'supervisor'], async (req, res, agent) => { … }, logger));
 */
export function withStaff(auth: StaffAuth, roles: readonly StaffRole[], handler: StaffHandler, logger: Logger): ApiHandler {
  return withApiErrors(async (req, res) => {
    const agent = await auth.authenticate(req.header('authorization'));
    auth.requireRole(agent, roles);
    await handler(req, res, agent);
  }, logger);
}
