/**
 * Staff accounts from the command line, on the store the bot uses (same environment: DATA_DIR or
 * MONGODB_URI):
 *
 *   npm run agents -- add --name <name> --pool <apprentice|expert> [--role agent|supervisor|content] [--json]
 *   npm run agents -- list [--json]
 *   npm run agents -- disable|enable|reset-password|sign-out <name> [--json]
 *   npm run agents -- set-role <name> <agent|supervisor|content> [--json]
 *
 * `add` and `reset-password` print the generated password once. Every change of disabled, password
 * or role ends all of the person's sessions (server/auth/staff-account-changes.ts). People change
 * their own password themselves (POST /api/agent/password, on the staff pages); reset-password is
 * for a forgotten or leaked one. `main` returns
 * the exit code (0 done, 1 failed, e.g. an unknown name, 2 bad command line) instead of exiting, so
 * tests can drive it.
 */
import { isAttuneError } from '../core/errors';
import { agentNameProblem, createAgentAccount, AGENT_POOLS, STAFF_ROLES, type CreatedAgentAccount } from '../server/auth/agent-accounts';
import {
  endStaffSessions,
  resetStaffPassword,
  setStaffAccountDisabled,
  setStaffRole,
  type StaffAccountChange,
} from '../server/auth/staff-account-changes';
import type { AgentAccount, AgentPool, AttuneStore, StaffRole } from '../storage/ports';
import { parseCommandLine, UsageError, type Writable } from '../core/command-line';
import { runMain } from '../core/run-main';
import { openCliStore } from './open-cli-store';

export const USAGE = `usage:
  npm run agents -- add --name <name> --pool <${AGENT_POOLS.join('|')}> [--role ${STAFF_ROLES.join('|')}] [--json]
  npm run agents -- list [--json]
  npm run agents -- disable <name> [--json]
  npm run agents -- enable <name> [--json]
  npm run agents -- reset-password <name> [--json]
  npm run agents -- set-role <name> <${STAFF_ROLES.join('|')}> [--json]
  npm run agents -- sign-out <name> [--json]

add             creates a staff account and prints its generated password, once (role defaults to agent).
list            shows the accounts (never passwords).
disable         stops the person signing in.
enable          lets a disabled person sign in again with their password.
reset-password  replaces the password with a new generated one, printed once; the old one stops working.
set-role        gives the person another role.
sign-out        ends the person's sessions and changes nothing else (e.g. a lost laptop).
Each of disable, enable, reset-password and set-role that changes the account also ends all of
the person's sessions at once (bearer tokens and the admin cookie): they sign in again.
--json  machine-readable output: add prints one line {"id","name","pool","role","password"};
        list prints one line per account; the other commands print one line with the account
        (never its hash), "sessionsEnded", and for reset-password the "password".
        (npm run --silent keeps npm's own lines off stdout.)
`;

/** Commands that change one existing account, named by its login name. */
const ACCOUNT_VERBS = ['disable', 'enable', 'reset-password', 'set-role', 'sign-out'] as const;
type AccountVerb = (typeof ACCOUNT_VERBS)[number];

type Command =
  | { readonly kind: 'add'; readonly name: string; readonly pool: AgentPool; readonly role: StaffRole; readonly json: boolean }
  | { readonly kind: 'list'; readonly json: boolean }
  | { readonly kind: 'change'; readonly verb: Exclude<AccountVerb, 'set-role'>; readonly name: string; readonly json: boolean }
  | { readonly kind: 'change'; readonly verb: 'set-role'; readonly name: string; readonly role: StaffRole; readonly json: boolean };

export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  const command = parseCommandLine({ name: 'agents', usage: USAGE, parse: parseCommand }, argv, out, err);
  if (typeof command === 'number') return command;
  const store = await openCliStore('agents', env, err);
  if (!store) return 1;
  try {
    if (command.kind === 'add') return await add(store, command, out, err);
    if (command.kind === 'list') return await list(store, command.json, out);
    return await change(store, command, out, err);
  } finally {
    // Waits until the writes have reached the files (embedded) before the process may exit.
    await store.close();
  }
}

async function add(store: AttuneStore, command: Extract<Command, { kind: 'add' }>, out: Writable, err: Writable): Promise<number> {
  let created: CreatedAgentAccount;
  try {
    created = await createAgentAccount(store.agents, command);
  } catch (error) {
    if (isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT')) {
      err.write(`agents add: ${error.message} Pick another name; nothing was changed.\n`);
      return 1;
    }
    throw error;
  }
  const { account, password } = created;
  if (command.json) {
    out.write(`${JSON.stringify({ id: account.id, name: account.name, pool: account.pool, role: account.role, password })}\n`);
    return 0;
  }
  out.write(
    `Created the ${account.role} account "${account.name}" in the ${account.pool} pool (id ${account.id}).\n` +
      `Its password is shown only this once; hand it over privately:\n\n  ${password}\n\n`,
  );
  return 0;
}

async function list(store: AttuneStore, json: boolean, out: Writable): Promise<number> {
  const accounts = await store.agents.list();
  if (json) {
    for (const account of accounts) out.write(`${JSON.stringify(publicFields(account))}\n`);
    return 0;
  }
  if (accounts.length === 0) {
    out.write('No staff accounts yet. Create one with: npm run agents -- add --name <name> --pool <apprentice|expert>\n');
    return 0;
  }
  const rows = [
    ['NAME', 'POOL', 'ROLE', 'STATUS', 'CREATED', 'ID'],
    ...accounts.map((a) => [a.name, a.pool, a.role, a.disabled ? 'disabled' : 'active', a.createdAt.toISOString(), a.id]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) out.write(`${row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()}\n`);
  return 0;
}

async function change(store: AttuneStore, command: Extract<Command, { kind: 'change' }>, out: Writable, err: Writable): Promise<number> {
  let result: StaffAccountChange & { readonly password?: string };
  try {
    result = await applyChange(store, command);
  } catch (error) {
    if (isAttuneError(error, 'ATTUNE_STAFF_ACCOUNT_NOT_FOUND')) {
      err.write(`agents ${command.verb}: ${error.message} Nothing was changed; see npm run agents -- list.\n`);
      return 1;
    }
    throw error;
  }
  const { account, changed, sessionsEnded, password } = result;
  if (command.json) {
    out.write(`${JSON.stringify({ ...publicFields(account), sessionsEnded, ...(password === undefined ? {} : { password }) })}\n`);
    return 0;
  }
  const ended = `${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended`;
  const name = `"${account.name}"`;
  switch (command.verb) {
    case 'disable':
      out.write(changed ? `Disabled ${name}: they can no longer sign in (${ended}).\n` : `${name} was already disabled; nothing was changed.\n`);
      break;
    case 'enable':
      out.write(changed ? `Enabled ${name}: they can sign in with their password again (${ended}).\n` : `${name} was not disabled; nothing was changed.\n`);
      break;
    case 'set-role':
      out.write(changed ? `${name} now has the role ${account.role} (${ended}: they sign in again).\n` : `${name} already has the role ${account.role}; nothing was changed.\n`);
      break;
    case 'sign-out':
      out.write(`Signed ${name} out everywhere (${ended}).\n`);
      break;
    case 'reset-password':
      out.write(
        `Replaced the password of ${name} (id ${account.id}); the old one no longer works (${ended}).\n` +
          `The new password is shown only this once; hand it over privately:\n\n  ${password}\n\n`,
      );
      break;
  }
  return 0;
}

function applyChange(store: AttuneStore, command: Extract<Command, { kind: 'change' }>): Promise<StaffAccountChange & { readonly password?: string }> {
  switch (command.verb) {
    case 'disable':
      return setStaffAccountDisabled(store, command.name, true);
    case 'enable':
      return setStaffAccountDisabled(store, command.name, false);
    case 'reset-password':
      return resetStaffPassword(store, command.name);
    case 'set-role':
      return setStaffRole(store, command.name, command.role);
    case 'sign-out':
      return endStaffSessions(store, command.name);
  }
}

/** Everything but the password hash. */
function publicFields(account: AgentAccount) {
  return { id: account.id, name: account.name, pool: account.pool, role: account.role, disabled: account.disabled, createdAt: account.createdAt.toISOString() };
}

function parseCommand(argv: readonly string[]): Command | { readonly kind: 'help' } {
  const [verb, ...args] = argv;
  if (verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' };
  if (verb === 'add' || verb === 'list') return parseAddOrList(verb, args);
  if (verb !== undefined && isOneOf(verb, ACCOUNT_VERBS)) return parseAccountChange(verb, args);
  throw new UsageError(verb === undefined ? 'a command is required' : `unknown command "${verb}"`);
}

function parseAddOrList(verb: 'add' | 'list', args: readonly string[]): Command {
  const options = new Map<string, string>();
  let json = false;
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    if (flag === '--json') {
      json = true;
      continue;
    }
    const valueFlags = verb === 'add' ? ['--name', '--pool', '--role'] : [];
    if (!valueFlags.includes(flag)) throw new UsageError(`unknown option "${flag}" for ${verb}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    if (options.has(flag)) throw new UsageError(`${flag} is given twice`);
    options.set(flag, value);
    i += 1;
  }
  if (verb === 'list') return { kind: 'list', json };

  const name = options.get('--name');
  const pool = options.get('--pool');
  const role = options.get('--role') ?? 'agent';
  if (name === undefined) throw new UsageError('add needs --name');
  const nameProblem = agentNameProblem(name);
  if (nameProblem !== undefined) throw new UsageError(nameProblem);
  if (pool === undefined) throw new UsageError('add needs --pool');
  if (!isOneOf(pool, AGENT_POOLS)) throw new UsageError(`--pool must be one of ${AGENT_POOLS.join(', ')}`);
  if (!isOneOf(role, STAFF_ROLES)) throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  return { kind: 'add', name, pool, role, json };
}

/** `<verb> <name> [--json]`, and `set-role <name> <role> [--json]`. */
function parseAccountChange(verb: AccountVerb, args: readonly string[]): Command {
  const json = args.includes('--json');
  const positional = args.filter((arg) => arg !== '--json');
  const flag = positional.find((arg) => arg.startsWith('-'));
  if (flag !== undefined) throw new UsageError(`unknown option "${flag}" for ${verb}`);
  const expected = verb === 'set-role' ? 2 : 1;
  if (positional.length !== expected) {
    throw new UsageError(verb === 'set-role' ? 'set-role needs a name and a role' : `${verb} needs one name`);
  }
  const [name, role] = positional;
  const nameProblem = agentNameProblem(name);
  if (nameProblem !== undefined) throw new UsageError(nameProblem);
  if (verb !== 'set-role') return { kind: 'change', verb, name, json };
  if (!isOneOf(role, STAFF_ROLES)) throw new UsageError(`the role must be one of ${STAFF_ROLES.join(', ')}`);
  return { kind: 'change', verb, name, role, json };
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

if (require.main === module) runMain('agents', () => main(process.argv.slice(2)));
