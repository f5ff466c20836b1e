/**
 * Staff sign-in: name and password to a bearer session token, and a token back to the agent.
 * Tokens are 32 random bytes (base64url); only their SHA-256 is stored, so a copy of the database
 * does not let anyone sign in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AttuneError } from '../../core/errors';
import type { AgentAccount, AgentSessions, Agents, StaffRole } from '../../storage/ports';
import { normalizeAgentName, STAFF_ROLES } from './agent-accounts';
import { chosenPasswordProblem, DEFAULT_SCRYPT_PARAMETERS, generatePassword, hashPassword, verifyPassword, type ScryptParameters } from './passwords';

/** What the rest of the app knows about a signed-in person: never the password hash. */
export type SignedInAgent = Pick<AgentAccount, 'id' | 'name' | 'pool' | 'role'>;

export interface StaffLogin {
  /** The bearer token, shown to the client once. */
  readonly token: string;
  readonly expiresAt: Date;
  readonly agent: SignedInAgent;
}

/** The outcome of a person changing their own password. */
export interface StaffPasswordChange {
  readonly agent: SignedInAgent;
  /** How many of the person's other sessions were ended (the one that made the change stays). */
  readonly otherSessionsEnded: number;
}

export interface StaffAuthOptions {
  /** How long a session lasts (default 12 hours). */
  readonly sessionTtlMs?: number;
  /** scrypt cost of the hashes of changed passwords (default DEFAULT_SCRYPT_PARAMETERS; tests pass a cheaper one). */
  readonly scrypt?: ScryptParameters;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
}

export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Every staff role: for routes open to anyone signed in. */
export const ALL_STAFF_ROLES: readonly StaffRole[] = STAFF_ROLES;

/** The same for an unknown name, a wrong password and a disabled account: none is revealed. */
const LOGIN_REFUSED = 'The name or password is not correct.';
const SESSION_REFUSED = 'Sign in first: the session token is missing, unknown or expired.';

/** 32 bytes in base64url, unpadded. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer +(\S+) *$/i;

/** The SHA-256 of a session token, as stored (hex). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Signs staff in and out, and tells who is behind a bearer token. */
export class StaffAuth {
  private readonly sessionTtlMs: number;
  private readonly now: () => Date;
  private readonly scrypt: ScryptParameters;
  /**
   * A hash of a random password nobody knows, verified against when the name is unknown, so that
   * an unknown name costs the same scrypt work as a wrong password. Started at construction so
   * that the first refused sign-in is not slower than the others.
   */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly agents: Agents,
    private readonly sessions: AgentSessions,
    options: StaffAuthOptions = {},
  ) {
    if (!agents) throw new Error('[StaffAuth]: Missing parameter. agents is required');
    if (!sessions) throw new Error('[StaffAuth]: Missing parameter. sessions is required');
    const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new RangeError('[StaffAuth]: sessionTtlMs must be a positive number of milliseconds');
    this.sessionTtlMs = ttl;
    this.now = options.now ?? (() => new Date());
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT_PARAMETERS;
    this.decoyHash = hashPassword(generatePassword());
    this.decoyHash.catch(() => undefined); // surfaced, if ever, by the login that awaits it
  }

  /**
   * Checks the name and password and opens a session.
   *
   * @throws AttuneError `ATTUNE_UNAUTHORIZED`, with one message whether the name is unknown, the
   *   password wrong or the account disabled.
   */
  async login(name: string, password: string): Promise<StaffLogin> {
    const account = typeof name === 'string' ? await this.agents.findByName(normalizeAgentName(name)) : undefined;
    // Always one scrypt verification, so the response time does not tell whether the name exists.
    const matches = await verifyPassword(typeof password === 'string' ? password : '', account?.passwordHash ?? (await this.decoyHash));
    if (account === undefined || !matches || account.disabled) throw new AttuneError('ATTUNE_UNAUTHORIZED', LOGIN_REFUSED);

    const token = randomBytes(32).toString('base64url');
    const tokenHash = hashSessionToken(token);
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + this.sessionTtlMs);
    await this.sessions.create({ tokenHash, agentId: account.id, createdAt, expiresAt });
    // An account change (staff-account-changes.ts) stores the change, then ends the person's
    // sessions. If it ran while the password above was being checked, this session may have been
    // opened after that revocation, with the old password or role: read the account again.
    const current = await this.agents.get(account.id);
    if (current === undefined || current.disabled || current.passwordHash !== account.passwordHash || current.role !== account.role) {
      await this.sessions.revoke(tokenHash);
      throw new AttuneError('ATTUNE_UNAUTHORIZED', LOGIN_REFUSED);
    }
    return { token, expiresAt, agent: signedIn(current) };
  }

  /**
   * The agent behind an `Authorization: Bearer <token>` header. The account is read on every call,
   * so disabling it takes effect at once.
   *
   * @throws AttuneError `ATTUNE_UNAUTHORIZED` when the header is missing or malformed, the token
   *   unknown, revoked or expired, or the account gone or disabled.
   */
  async authenticate(authorizationHeader: string | undefined): Promise<SignedInAgent> {
    return this.authenticateToken(bearerToken(authorizationHeader));
  }

  /**
   * The agent behind a bare session token (e.g. from the admin session cookie).
   *
   * @throws AttuneError `ATTUNE_UNAUTHORIZED` as {@link authenticate} does.
   */
  async authenticateToken(token: string | undefined): Promise<SignedInAgent> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) throw new AttuneError('ATTUNE_UNAUTHORIZED', SESSION_REFUSED);
    const session = await this.sessions.find(hashSessionToken(token), this.now());
    const account = session === undefined ? undefined : await this.agents.get(session.agentId);
    if (account === undefined || account.disabled) throw new AttuneError('ATTUNE_UNAUTHORIZED', SESSION_REFUSED);
    return signedIn(account);
  }

  /**
   * The signed-in person changes their own password: `currentPassword` must be the account's, and
   * `newPassword` must meet the policy for chosen passwords and differ from the current one. The
   * new hash is stored only if the account was not changed since it was read (an administrator's
   * reset or disable made meanwhile wins), then every other session of the person ends; the
   * session of `token` stays signed in.
   *
   * @throws AttuneError `ATTUNE_UNAUTHORIZED` when the session of `token` has ended or its account
   *   is disabled; `ATTUNE_REQUEST_INVALID` for a new password the policy refuses (checked first,
   *   without looking at the current one) or the current password again;
   *   `ATTUNE_CURRENT_PASSWORD_INCORRECT` for a wrong current password; `ATTUNE_STORAGE_CONFLICT`
   *   when the account changed meanwhile (nothing was changed).
   */
  async changePassword(token: string, currentPassword: string, newPassword: string): Promise<StaffPasswordChange> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) throw new AttuneError('ATTUNE_UNAUTHORIZED', SESSION_REFUSED);
    const tokenHash = hashSessionToken(token);
    const session = await this.sessions.find(tokenHash, this.now());
    const account = session === undefined ? undefined : await this.agents.get(session.agentId);
    if (account === undefined || account.disabled) throw new AttuneError('ATTUNE_UNAUTHORIZED', SESSION_REFUSED);

    const problem = chosenPasswordProblem(newPassword, account.name);
    if (problem !== undefined) throw new AttuneError('ATTUNE_REQUEST_INVALID', `${problem[0].toUpperCase()}${problem.slice(1)}.`);
    if (!(await verifyPassword(typeof currentPassword === 'string' ? currentPassword : '', account.passwordHash))) {
      throw new AttuneError('ATTUNE_CURRENT_PASSWORD_INCORRECT', 'The current password is not correct; the password was not changed.');
    }
    // Only now, so that a refusal here cannot confirm a guess of the current password.
    if (newPassword.normalize('NFC') === currentPassword.normalize('NFC')) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', 'The new password must differ from the current one.');
    }

    const passwordHash = await hashPassword(newPassword, this.scrypt);
    // Stored only if the hash, role and status are still the ones read above: one write, so a
    // reset, disable or role change made meanwhile (npm run agents) is never overwritten.
    const updated = await this.agents.update(account.id, { passwordHash }, { passwordHash: account.passwordHash, role: account.role, disabled: false });
    if (updated === undefined) {
      throw new AttuneError('ATTUNE_STORAGE_CONFLICT', 'Your account was changed while the password was being changed (e.g. by an administrator); the password was not changed. Sign in again.');
    }
    // After the write, as staff-account-changes.ts does: a sign-in that lands in between already
    // sees the new hash, and StaffAuth.login drops a session opened with the old one.
    const otherSessionsEnded = await this.sessions.revokeAllFor(account.id, tokenHash);
    return { agent: signedIn(updated), otherSessionsEnded };
  }

  /** Ends the session of `token` (the bare token). Unknown or already ended sessions are ignored. */
  async logout(token: string): Promise<void> {
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) return;
    await this.sessions.revoke(hashSessionToken(token));
  }

  /**
   * Lets the agent through if their role is one of `roles` (an empty list lets nobody through).
   *
   * @throws AttuneError `ATTUNE_FORBIDDEN` otherwise.
   */
  requireRole(agent: SignedInAgent, roles: readonly StaffRole[]): void {
    if (!roles.includes(agent.role)) {
      throw new AttuneError('ATTUNE_FORBIDDEN', `This needs the role ${roles.join(' or ') || '(none allowed)'}; you are signed in as ${agent.role}.`);
    }
  }
}

/** The token of an `Authorization: Bearer <token>` header, if it is well formed. */
export function bearerToken(authorizationHeader: string | undefined): string | undefined {
  if (typeof authorizationHeader !== 'string') return undefined;
  const match = BEARER.exec(authorizationHeader);
  return match !== null && TOKEN_FORMAT.test(match[1]) ? match[1] : undefined;
}

function signedIn(account: AgentAccount): SignedInAgent {
  return { id: account.id, name: account.name, pool: account.pool, role: account.role };
}
