/**
 * Changing a staff account after it is created: disabling and enabling it, replacing its password,
 * changing its role, ending its sessions. Every change of whether, with what or as what a person
 * signs in ends all of their sessions (bearer tokens and the admin cookie alike), so a leaked
 * password or a stolen token stops working the moment the account is changed.
 */
import { AttuneError } from '../../core/errors';
import type { AgentAccount, AgentAccountChanges, AgentSessions, Agents, StaffRole } from '../../storage/ports';
import { agentNameProblem, normalizeAgentName, STAFF_ROLES } from './agent-accounts';
import { DEFAULT_SCRYPT_PARAMETERS, generatePassword, hashPassword, type ScryptParameters } from './passwords';

/** The two ports an account change writes to. */
export interface StaffAccountStore {
  readonly agents: Agents;
  readonly agentSessions: AgentSessions;
}

export interface StaffAccountChange {
  /** The account as stored after the change. */
  readonly account: AgentAccount;
  /** False when the account already was as asked: then nothing was written and no session ended. */
  readonly changed: boolean;
  /** How many of the person's sessions were ended. */
  readonly sessionsEnded: number;
}

export interface StaffPasswordReset extends StaffAccountChange {
  /** The new generated password, in clear: show it once, never store or log it. */
  readonly password: string;
}

/**
 * Disables (`disabled` true) or enables the account named `name`. Enabling also ends every session
 * left from before, so an old token never comes back to life.
 *
 * @throws AttuneError `ATTUNE_STAFF_ACCOUNT_NOT_FOUND` when no account has that name.
 */
export function setStaffAccountDisabled(store: StaffAccountStore, name: string, disabled: boolean): Promise<StaffAccountChange> {
  return changeCredentials(store, name, { disabled });
}

/**
 * Gives the account named `name` another role.
 *
 * @throws AttuneError `ATTUNE_REQUEST_INVALID` for a role that is not one of STAFF_ROLES,
 *   `ATTUNE_STAFF_ACCOUNT_NOT_FOUND` when no account has that name.
 */
export function setStaffRole(store: StaffAccountStore, name: string, role: StaffRole): Promise<StaffAccountChange> {
  if (!STAFF_ROLES.includes(role)) {
    return Promise.reject(new AttuneError('ATTUNE_REQUEST_INVALID', `The role must be one of ${STAFF_ROLES.join(', ')}, not "${role}".`));
  }
  return changeCredentials(store, name, { role });
}

/**
 * Replaces the password of the account named `name` with a new generated one; the old password
 * stops working at once.
 *
 * @throws AttuneError `ATTUNE_STAFF_ACCOUNT_NOT_FOUND` when no account has that name.
 */
export async function resetStaffPassword(
  store: StaffAccountStore,
  name: string,
  options: { readonly scrypt?: ScryptParameters } = {},
): Promise<StaffPasswordReset> {
  await findAccount(store.agents, name); // no scrypt work for a name that does not exist
  const password = generatePassword();
  const passwordHash = await hashPassword(password, options.scrypt ?? DEFAULT_SCRYPT_PARAMETERS);
  return { ...(await changeCredentials(store, name, { passwordHash })), password };
}

/**
 * Ends every session of the account named `name` (e.g. a lost laptop) and changes nothing else.
 *
 * @throws AttuneError `ATTUNE_STAFF_ACCOUNT_NOT_FOUND` when no account has that name.
 */
export async function endStaffSessions(store: StaffAccountStore, name: string): Promise<StaffAccountChange> {
  const account = await findAccount(store.agents, name);
  const sessionsEnded = await store.agentSessions.revokeAllFor(account.id);
  return { account, changed: false, sessionsEnded };
}

/**
 * Stores the changes, then ends the person's sessions. In that order: a sign-in that lands between
 * the two already sees the new account (and StaffAuth.login drops a session whose account changed
 * while it was being opened), so no session opened with the old state survives.
 */
async function changeCredentials(store: StaffAccountStore, name: string, changes: AgentAccountChanges): Promise<StaffAccountChange> {
  const account = await findAccount(store.agents, name);
  const differs = (Object.keys(changes) as (keyof AgentAccountChanges)[]).some((field) => changes[field] !== account[field]);
  if (!differs) return { account, changed: false, sessionsEnded: 0 };
  const updated = await store.agents.update(account.id, changes);
  if (updated === undefined) throw notFound(account.name); // removed meanwhile
  const sessionsEnded = await store.agentSessions.revokeAllFor(account.id);
  return { account: updated, changed: true, sessionsEnded };
}

async function findAccount(agents: Agents, name: string): Promise<AgentAccount> {
  const account = agentNameProblem(String(name)) === undefined ? await agents.findByName(normalizeAgentName(name)) : undefined;
  if (account === undefined) throw notFound(normalizeAgentName(String(name)));
  return account;
}

function notFound(name: string): AttuneError {
  return new AttuneError('ATTUNE_STAFF_ACCOUNT_NOT_FOUND', `No staff account is named "${name}".`);
}
