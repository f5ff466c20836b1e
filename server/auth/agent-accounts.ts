/**
 * Creating staff accounts. There are no default accounts or passwords: each account is created
 * with a generated password that is shown once to whoever created it.
 */
import { randomUUID } from 'node:crypto';
import { AttuneError } from '../../core/errors';
import type { AgentAccount, AgentPool, Agents, StaffRole } from '../../storage/ports';
import { DEFAULT_SCRYPT_PARAMETERS, generatePassword, hashPassword, type ScryptParameters } from './passwords';

export const AGENT_POOLS: readonly AgentPool[] = Object.freeze(['apprentice', 'expert']);
export const STAFF_ROLES: readonly StaffRole[] = Object.freeze(['agent', 'supervisor', 'content']);

/** After normalising: 2–64 of lower-case letters, digits and `. _ @ -`, starting with a letter or digit. */
const NAME_FORMAT = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

/**
 * The one way a login name is compared: Unicode-normalised (NFKC), trimmed and lower-cased, so
 * that "Alice " and "alice" are one account and look-alike spellings cannot become two.
 */
export function normalizeAgentName(name: string): string {
  return name.normalize('NFKC').trim().toLowerCase();
}

/** Why `name` cannot be a login name (after normalising), or undefined when it can. */
export function agentNameProblem(name: string): string | undefined {
  if (NAME_FORMAT.test(normalizeAgentName(name))) return undefined;
  return `the name "${name}" is not allowed: use 2–64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`;
}

export interface NewAgentAccount {
  readonly name: string;
  readonly pool: AgentPool;
  readonly role: StaffRole;
}

export interface CreatedAgentAccount {
  readonly account: AgentAccount;
  /** The generated password, in clear: show it once, never store or log it. */
  readonly password: string;
}

/**
 * Creates an account with a generated password. The name is stored normalised.
 *
 * @throws AttuneError `ATTUNE_REQUEST_INVALID` for a name, pool or role that is not allowed,
 *   `ATTUNE_STORAGE_CONFLICT` when the name is taken.
 */
export async function createAgentAccount(
  agents: Agents,
  request: NewAgentAccount,
  options: { readonly now?: Date; readonly scrypt?: ScryptParameters } = {},
): Promise<CreatedAgentAccount> {
  const problem = agentNameProblem(String(request.name));
  if (problem !== undefined) throw new AttuneError('ATTUNE_REQUEST_INVALID', `${problem[0].toUpperCase()}${problem.slice(1)}.`);
  const name = normalizeAgentName(request.name);
  if (!AGENT_POOLS.includes(request.pool)) {
    throw new AttuneError('ATTUNE_REQUEST_INVALID', `The pool must be one of ${AGENT_POOLS.join(', ')}, not "${request.pool}".`);
  }
  if (!STAFF_ROLES.includes(request.role)) {
    throw new AttuneError('ATTUNE_REQUEST_INVALID', `The role must be one of ${STAFF_ROLES.join(', ')}, not "${request.role}".`);
  }
  const password = generatePassword();
  const account: AgentAccount = {
    id: randomUUID(),
    name,
    pool: request.pool,
    role: request.role,
    passwordHash: await hashPassword(password, options.scrypt ?? DEFAULT_SCRYPT_PARAMETERS),
    createdAt: options.now ?? new Date(),
    disabled: false,
  };
  try {
    await agents.create(account);
  } catch (error) {
    if (error instanceof AttuneError && error.code === 'ATTUNE_STORAGE_CONFLICT') {
      throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `An account named "${name}" already exists.`, { cause: error });
    }
    throw error;
  }
  return { account, password };
}
