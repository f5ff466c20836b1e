/**
 * Staff sign-in over HTTP:
 *
 * - `POST /api/agent/login` `{ name, password }` → 200 `{ token, expiresAt, agent }`; 400 bad body,
 *   401 bad credentials, 429 too many unsuccessful attempts from the address or for the name.
 * - `POST /api/agent/logout` (bearer token) → 204; the token no longer works, and the admin
 *   session cookie (set at a supervisor's sign-in, admin-session-cookie.ts) is cleared.
 * - `GET /api/agent/me` (bearer token) → 200 `{ agent }`.
 * - `POST /api/agent/password` (bearer token) `{ currentPassword, newPassword }` → 200
 *   `{ agent, otherSessionsEnded }`: the person's own password is changed and every other session
 *   of theirs ends (this one stays); 400 for a new password the policy refuses (passwords.ts) or
 *   the current one again, 403 `ATTUNE_CURRENT_PASSWORD_INCORRECT` for a wrong current password,
 *   counted by the same throttle as sign-ins (429 past it), 409 when the account was changed
 *   meanwhile.
 *
 * Passwords and tokens are never logged.
 */
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { AttuneError, isAttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { ADMIN_ROLES, adminSessionCookie, clearedAdminSessionCookie, adminCookieIsSecure } from './admin-session-cookie';
import { withApiErrors } from './api-errors';
import { clientAddressKey, DEFAULT_LOGIN_RATE_LIMIT, LoginRateLimiter, type RateLimit } from './login-rate-limiter';
import { chosenPasswordProblem, MAX_PASSWORD_LENGTH } from './passwords';
import { ALL_STAFF_ROLES, bearerToken, type StaffAuth, type StaffLogin, type StaffPasswordChange } from './staff-auth';
import { withStaff } from './with-staff';

export interface StaffAuthRouteOptions {
  /** Unsuccessful sign-ins allowed per client address and per name (default 10 per 5 minutes). */
  readonly loginRateLimit?: RateLimit;
  /**
   * The client's address for rate limiting. Default: the TCP peer. Behind a reverse proxy pass a
   * function that reads the address the proxy sets; never trust a forwarded header by default,
   * since any client can send one.
   */
  readonly clientAddress?: (req: Request) => string | undefined;
  /** The rate limiter's clock in ms (tests inject one). */
  readonly now?: () => number;
}

const loginBody = z.object({
  name: z.string().trim().min(1, 'name is required').max(100, 'name is at most 100 characters'),
  password: z.string().min(1, 'password is required').max(MAX_PASSWORD_LENGTH, `password is at most ${MAX_PASSWORD_LENGTH} characters`),
});

/** What a throttled password check logs and tells the client. */
const PASSWORD_CHECKS = {
  login: { event: 'staff_login_throttled', log: 'staff sign-in throttled', what: 'sign-in attempts' },
  passwordChange: { event: 'staff_password_change_throttled', log: 'staff password change throttled', what: 'sign-ins and password changes from this address' },
} as const;

/** The body of a password change for the account named `name` (the policy refuses passwords containing it). */
function passwordChangeBody(name: string) {
  return z.object({
    currentPassword: z.string().min(1, 'currentPassword is required').max(MAX_PASSWORD_LENGTH, `currentPassword is at most ${MAX_PASSWORD_LENGTH} characters`),
    newPassword: z.string().superRefine((password, context) => {
      const problem = chosenPasswordProblem(password, name);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }),
  });
}

function problemsOf(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

export function registerStaffAuthRoutes(server: Server, auth: StaffAuth, logger: Logger, options: StaffAuthRouteOptions = {}): void {
  const limiter = new LoginRateLimiter(options.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT, options.now);
  const clientAddress = options.clientAddress ?? ((req: Request) => req.socket.remoteAddress);

  /**
   * One password check (a sign-in, or the current password of a password change), counted per
   * client address only. A limit per login name would let anyone lock a named colleague out (ten
   * wrong passwords from anywhere, every five minutes); guessing a password of 20 or more
   * characters (a generated one is about 139 bits) from many addresses instead is hopeless anyway.
   */
  function tryPasswordAttempt(client: string, res: Response, check: keyof typeof PASSWORD_CHECKS) {
    const attempt = limiter.tryAttempt([`address:${client}`]);
    if (!attempt.allowed) {
      const seconds = Math.ceil(attempt.retryAfterMs / 1000);
      const { event, log, what } = PASSWORD_CHECKS[check];
      logger.warn({ event, client }, log);
      res.header('Retry-After', String(seconds));
      throw new AttuneError('ATTUNE_RATE_LIMITED', `Too many unsuccessful ${what}; try again in ${Math.ceil(seconds / 60)} minute(s).`);
    }
    return attempt;
  }

  server.post('/api/agent/login', withApiErrors(async (req: Request, res: Response) => {
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', `Send a JSON body { "name": …, "password": … }. ${problemsOf(parsed.error)}`);
    }
    const { name, password } = parsed.data;
    const client = clientAddressKey(clientAddress(req));
    const attempt = tryPasswordAttempt(client, res, 'login');
    let login: StaffLogin;
    try {
      login = await auth.login(name, password);
    } catch (error) {
      if (isAttuneError(error, 'ATTUNE_UNAUTHORIZED')) logger.warn({ event: 'staff_login_refused', client }, 'staff sign-in refused');
      else attempt.forgive(); // e.g. storage down: not a guess, and must not lock people out afterwards
      throw error;
    }
    attempt.forgive();
    logger.info({ event: 'staff_login', agentId: login.agent.id, role: login.agent.role }, 'staff signed in');
    res.header('Cache-Control', 'no-store');
    // Supervisors also get the admin session cookie, for browser UIs under /admin (Bull Board).
    if (ADMIN_ROLES.includes(login.agent.role)) res.header('Set-Cookie', adminSessionCookie(login.token, login.expiresAt, adminCookieIsSecure(req)));
    res.send(200, { token: login.token, expiresAt: login.expiresAt.toISOString(), agent: login.agent });
  }, logger));

  server.post('/api/agent/logout', withStaff(auth, ALL_STAFF_ROLES, async (req, res, agent) => {
    const token = bearerToken(req.header('authorization'));
    if (token !== undefined) await auth.logout(token);
    res.header('Set-Cookie', clearedAdminSessionCookie(adminCookieIsSecure(req)));
    logger.info({ event: 'staff_logout', agentId: agent.id }, 'staff signed out');
    res.send(204);
  }, logger));

  server.get('/api/agent/me', withStaff(auth, ALL_STAFF_ROLES, async (_req, res, agent) => {
    res.header('Cache-Control', 'no-store');
    res.send(200, { agent });
  }, logger));

  server.post('/api/agent/password', withStaff(auth, ALL_STAFF_ROLES, async (req, res, agent) => {
    const parsed = passwordChangeBody(agent.name).safeParse(req.body);
    if (!parsed.success) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', `Send a JSON body { "currentPassword": …, "newPassword": … }. ${problemsOf(parsed.error)}`);
    }
    const { currentPassword, newPassword } = parsed.data;
    const client = clientAddressKey(clientAddress(req));
    // The same budget as sign-ins: a stolen session must not become a faster way to guess the password.
    const attempt = tryPasswordAttempt(client, res, 'passwordChange');
    let change: StaffPasswordChange;
    try {
      change = await auth.changePassword(bearerToken(req.header('authorization')) ?? '', currentPassword, newPassword);
    } catch (error) {
      if (isAttuneError(error, 'ATTUNE_CURRENT_PASSWORD_INCORRECT')) logger.warn({ event: 'staff_password_change_refused', agentId: agent.id, client }, 'staff password change refused: wrong current password');
      else attempt.forgive(); // not a guess of the current password
      throw error;
    }
    attempt.forgive();
    logger.info({ event: 'staff_password_changed', agentId: agent.id, otherSessionsEnded: change.otherSessionsEnded }, 'staff password changed');
    res.header('Cache-Control', 'no-store');
    res.send(200, change);
  }, logger));
}
