/**
 * Staff accounts from the command line, on the store the bot uses (same environment: DATA_DIR or
 * MONGODB_URI):
 *
 *   npm run agents -- add --name <name> --pool <apprentice|expert> [--role agent|supervisor|content] [--json]
 *   npm run agents -- list [--json]
 *
 * `add` prints the generated password once. `main` returns the exit code (0 done, 1 failed,
 * 2 bad command line) instead of exiting, so tests can drive it.
 */
import { isAttuneError } from '../core/errors';
import { agentNameProblem, createAgentAccount, AGENT_POOLS, STAFF_ROLES, type CreatedAgentAccount } from '../server/auth/agent-accounts';
import type { AgentAccount, AgentPool, AttuneStore, StaffRole } from '../storage/ports';
import { parseCommandLine, UsageError, type Writable } from '../core/command-line';
import { runMain } from '../core/run-main';
import { openCliStore } from './open-cli-store';

export const USAGE = `usage:
  npm run agents -- add --name <name> --pool <${AGENT_POOLS.join('|')}> [--role ${STAFF_ROLES.join('|')}] [--json]
  npm run agents -- list [--json]

add   creates a staff account and prints its generated password, once (role defaults to agent).
list  shows the accounts (never passwords).
--json  machine-readable output: add prints one line {"id","name","pool","role","password"};
        list prints one line per account. (npm run --silent keeps npm's own lines off stdout.)
`;

type Command =
  | { readonly kind: 'add'; readonly name: string; readonly pool: AgentPool; readonly role: StaffRole; readonly json: boolean }
  | { readonly kind: 'list'; readonly json: boolean };

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
    return command.kind === 'add' ? await add(store, command, out, err) : await list(store, command.json, out);
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

/** Everything but the password hash. */
function publicFields(account: AgentAccount) {
  return { id: account.id, name: account.name, pool: account.pool, role: account.role, disabled: account.disabled, createdAt: account.createdAt.toISOString() };
}

function parseCommand(argv: readonly string[]): Command | { readonly kind: 'help' } {
  const [verb, ...args] = argv;
  if (verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' };
  if (verb !== 'add' && verb !== 'list') throw new UsageError(verb === undefined ? 'a command is required' : `unknown command "${verb}"`);
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

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

if (require.main === module) runMain('agents', () => main(process.argv.slice(2)));
