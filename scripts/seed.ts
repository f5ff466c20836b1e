/**
 * `npm run seed`: loads the demo customers (personalization/data/demo-customers.json: varied
 * tiers, products, preferences, consent states and open cases) into the store the bot uses, through
 * the same path as a CRM import. Running it again updates them; nothing else is touched.
 */
import path from 'node:path';
import { findProjectRoot } from '../core/project-root';
import { runMain } from '../core/run-main';
import { importCustomers, readCrmFile } from './customers';
import { openCliStore } from './open-cli-store';
import type { Writable } from '../core/command-line';

export const DEMO_CUSTOMERS = path.join('personalization', 'data', 'demo-customers.json');

export async function main(
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  const customers = await readCrmFile(path.join(findProjectRoot(), DEMO_CUSTOMERS), err);
  if (!customers) return 1;
  const store = await openCliStore('seed', env, err);
  if (!store) return 1;
  try {
    return await importCustomers(store, customers, out);
  } finally {
    await store.close();
  }
}

if (require.main === module) runMain('seed', () => main());
