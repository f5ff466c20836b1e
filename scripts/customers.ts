/**
 * Customer profiles from the command line, on the store the bot uses (DATA_DIR or MONGODB_URI):
 *
 *   npm run customers -- import <file.json|file.csv>     sync profiles from a CRM export
 *   npm run customers -- export <id>                    everything held about a customer, as JSON
 *   npm run customers -- erase <id>                     right to erasure (keeps anonymised counts)
 *   npm run customers -- link <id> <channelId> <userId> one profile across channels (after sign-in)
 *
 * `main` returns the exit code (0 done, 1 failed, 2 bad command line) so tests can drive it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseCommandLine, UsageError, type Writable } from '../core/command-line';
import { runMain } from '../core/run-main';
import { mergeCrmCustomer, parseCrmFile, type CrmCustomer } from '../personalization/crm-import';
import { eraseCustomer, exportCustomer } from '../personalization/customer-data';
import { editProfile, linkIdentity } from '../personalization/profile-editor';
import type { AttuneStore } from '../storage/ports';
import { errorMessage, openCliStore } from './open-cli-store';

export const USAGE = `usage:
  npm run customers -- import <file.json|file.csv>
  npm run customers -- export <id>
  npm run customers -- erase <id>
  npm run customers -- link <id> <channelId> <userId>

import  creates or updates profiles from a CRM export; every record is checked first and nothing
        is written if one is bad. Unknown fields (e.g. age, gender) are refused, never stored.
export  prints the profile, conversations, turns, offer events and escalations of one customer as JSON.
erase   deletes the profile, conversations and turns; offer events and escalations keep only
        anonymised counts.
link    adds a channel identity to a profile, so the customer is one person on both channels.
`;

type Command =
  | { readonly kind: 'import'; readonly file: string }
  | { readonly kind: 'export' | 'erase'; readonly id: string }
  | { readonly kind: 'link'; readonly id: string; readonly channelId: string; readonly userId: string };

export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  const command = parseCommandLine({ name: 'customers', usage: USAGE, parse: parseCommand }, argv, out, err);
  if (typeof command === 'number') return command;
  // The file is read and checked before the store is opened: a bad file changes nothing.
  let customers: readonly CrmCustomer[] = [];
  if (command.kind === 'import') {
    const loaded = await readCrmFile(command.file, err);
    if (!loaded) return 1;
    customers = loaded;
  }
  const store = await openCliStore('customers', env, err);
  if (!store) return 1;
  try {
    switch (command.kind) {
      case 'import':
        return await importCustomers(store, customers, out);
      case 'export':
        return await exportOne(store, command.id, out, err);
      case 'erase':
        return await eraseOne(store, command.id, out, err);
      case 'link':
        return await linkOne(store, command, out, err);
    }
  } finally {
    await store.close();
  }
}

/** Reads and validates a CRM file; undefined (after reporting every problem) when it is not usable. */
export async function readCrmFile(file: string, err: Writable): Promise<readonly CrmCustomer[] | undefined> {
  const extension = path.extname(file).toLowerCase();
  if (extension !== '.json' && extension !== '.csv') {
    err.write(`customers: ${file}: the file must end in .json or .csv\n`);
    return undefined;
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    err.write(`customers: cannot read ${file}: ${errorMessage(error)}\n`);
    return undefined;
  }
  const parsed = parseCrmFile(text, extension === '.json' ? 'json' : 'csv');
  if (!parsed.ok) {
    for (const problem of parsed.problems) err.write(`customers: ${file}${problem.record > 0 ? ` record ${problem.record}` : ''}: ${problem.message}\n`);
    err.write('customers: nothing was imported.\n');
    return undefined;
  }
  return parsed.customers;
}

export async function importCustomers(store: Pick<AttuneStore, 'customers'>, customers: readonly CrmCustomer[], out: Writable): Promise<number> {
  const now = new Date();
  let created = 0;
  for (const crm of customers) {
    // Merged into what is stored at the moment of writing: a turn saving the customer's opt-out
    // meanwhile is kept (the merge never grants consent back over a withdrawal).
    const updated = await editProfile(store.customers, crm.id, (existing) => mergeCrmCustomer(crm, existing, now), now);
    if (updated) continue;
    created += 1;
    await store.customers.save(mergeCrmCustomer(crm, undefined, now));
  }
  out.write(`Imported ${customers.length} customers (${created} new, ${customers.length - created} updated).\n`);
  return 0;
}

async function exportOne(store: AttuneStore, id: string, out: Writable, err: Writable): Promise<number> {
  const data = await exportCustomer(store, id);
  if (!data) {
    err.write(`customers: no customer with id "${id}".\n`);
    return 1;
  }
  out.write(`${JSON.stringify(data, null, 2)}\n`);
  return 0;
}

async function eraseOne(store: AttuneStore, id: string, out: Writable, err: Writable): Promise<number> {
  if (!(await store.customers.get(id))) {
    err.write(`customers: no customer with id "${id}"; nothing was erased.\n`);
    return 1;
  }
  const counts = await eraseCustomer(store, id);
  out.write(`${JSON.stringify({ erased: id, ...counts })}\n`);
  return 0;
}

async function linkOne(store: AttuneStore, command: Extract<Command, { kind: 'link' }>, out: Writable, err: Writable): Promise<number> {
  const linked = await linkIdentity(store.customers, command.id, { channelId: command.channelId, userId: command.userId });
  if (!linked) {
    err.write(`customers: no customer with id "${command.id}"; nothing was linked.\n`);
    return 1;
  }
  out.write(`Linked ${command.channelId} user ${command.userId} to customer ${command.id}.\n`);
  return 0;
}

function parseCommand(argv: readonly string[]): Command | { readonly kind: 'help' } {
  const [verb, ...args] = argv;
  if (verb === undefined) throw new UsageError('a command is required');
  if (verb === 'help' || verb === '--help' || verb === '-h') return { kind: 'help' };
  const expect = (count: number, names: string): string[] => {
    if (args.length !== count || args.some((arg) => arg.trim() === '')) throw new UsageError(`${verb} needs ${names}`);
    return args;
  };
  switch (verb) {
    case 'import':
      return { kind: 'import', file: expect(1, 'one file (.json or .csv)')[0] };
    case 'export':
    case 'erase':
      return { kind: verb, id: expect(1, 'one customer id')[0] };
    case 'link': {
      const [id, channelId, userId] = expect(3, '<id> <channelId> <userId>');
      return { kind: 'link', id, channelId, userId };
    }
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}

if (require.main === module) runMain('customers', () => main(process.argv.slice(2)));
