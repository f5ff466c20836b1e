/**
 * Syncing profiles from a bank's CRM: JSON (an array of records) or CSV (one record per row),
 * validated as a whole before anything is written. A record with a field we do not know is
 * refused, naming the field: that is how an `age`, `gender` or `health` column never slips into
 * the profile (DESIGN.md §3: no sensitive attribute is stored for personalization).
 *
 * The CRM owns who the customer is (name, tier, products, consent, open cases); the bot owns what
 * it learnt in chats (preferences answered, linked identities, the unfinished task), so an import
 * updates the first and keeps the second. One exception on consent: an import may withdraw
 * marketing consent but never grants it back over a withdrawal already stored, because that
 * withdrawal may be the customer's own "stop offers" in a chat, which the CRM does not know of.
 * Consent given again has to reach the profile through the customer, not a batch.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { CustomerProfile } from '../storage/ports';

const CODE = /^[a-z][a-z0-9_]*$/;

const identitySchema = z.strictObject({ channelId: z.string().min(1).max(100), userId: z.string().min(1).max(200) });

export const crmCustomerSchema = z.strictObject({
  id: z.string().min(1).max(100),
  firstName: z.string().min(1).max(100).optional(),
  tier: z.enum(['standard', 'plus', 'premium', 'private']),
  products: z.array(z.string().regex(CODE, 'a product code like travel_card')).default([]),
  identities: z.array(identitySchema).default([]),
  preferences: z
    .strictObject({
      tone: z.enum(['concise', 'formal', 'friendly']).optional(),
      useFirstName: z.boolean().optional(),
      contactChannel: z.enum(['chat', 'email', 'phone', 'sms']).optional(),
    })
    .default({}),
  marketingConsent: z.boolean(),
  openCases: z.array(z.strictObject({ id: z.string().min(1).max(100), topic: z.string().regex(CODE, 'a topic code like dispute'), openedAt: z.coerce.date() })).default([]),
});

export type CrmCustomer = z.infer<typeof crmCustomerSchema>;

/** A problem with one record: its row (CSV line, or JSON array index + 1) and what is wrong. */
export interface ImportProblem {
  readonly record: number;
  readonly message: string;
}

export type ImportParse = { readonly ok: true; readonly customers: readonly CrmCustomer[] } | { readonly ok: false; readonly problems: readonly ImportProblem[] };

/** Parses and validates a whole file; `format` comes from the file name (`.json` or `.csv`). */
export function parseCrmFile(text: string, format: 'json' | 'csv'): ImportParse {
  let raw: unknown[];
  try {
    raw = format === 'json' ? jsonRecords(text) : csvRecords(text);
  } catch (error) {
    return { ok: false, problems: [{ record: 0, message: error instanceof Error ? error.message : String(error) }] };
  }
  const customers: CrmCustomer[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  raw.forEach((record, index) => {
    const parsed = crmCustomerSchema.safeParse(record);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ record: index + 1, message: `${issue.path.join('.') || 'record'}: ${issue.message}` });
      return;
    }
    if (seen.has(parsed.data.id)) problems.push({ record: index + 1, message: `id: "${parsed.data.id}" appears twice` });
    seen.add(parsed.data.id);
    customers.push(parsed.data);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, customers };
}

/** The stored profile after importing `crm` over `existing` (see the file comment for who owns what). */
export function mergeCrmCustomer(crm: CrmCustomer, existing: CustomerProfile | undefined, now: Date): CustomerProfile {
  const identities = [...(existing?.identities ?? [])];
  for (const identity of crm.identities) {
    if (!identities.some((i) => i.channelId === identity.channelId && i.userId === identity.userId)) identities.push(identity);
  }
  const marketing = crm.marketingConsent && existing?.consent.marketing !== false;
  const consentChanged = existing?.consent.marketing !== marketing;
  const profile: CustomerProfile = {
    id: crm.id,
    identities,
    ...(crm.firstName !== undefined && { firstName: crm.firstName }),
    tier: crm.tier,
    products: crm.products,
    preferences: { ...crm.preferences, ...existing?.preferences },
    consent: { marketing, updatedAt: consentChanged ? now : (existing?.consent.updatedAt ?? now) },
    ...(crm.openCases.length > 0 && { openCases: crm.openCases }),
    ...(existing?.unfinishedTask && { unfinishedTask: existing.unfinishedTask }),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  return profile;
}

function jsonRecords(text: string): unknown[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('a JSON import must be an array of customer records');
  return parsed;
}

/**
 * CSV columns: id, firstName, tier, products, identities, marketingConsent, tone, useFirstName,
 * contactChannel. Lists are separated by `;` (products `debit_card;travel_card`, identities
 * `webchat:web-1;telegram:42`); booleans are true/false or yes/no; empty cells are unset.
 */
function csvRecords(text: string): unknown[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return rows.map((row) => {
    const { id, firstName, tier, products, identities, marketingConsent, tone, useFirstName, contactChannel, ...unknown } = row;
    const preferences = { tone: cell(tone), useFirstName: bool(useFirstName), contactChannel: cell(contactChannel) };
    return {
      ...unknown, // passed on so that the schema names any column it does not know
      id,
      firstName: cell(firstName),
      tier,
      products: list(products),
      identities: list(identities).map((pair) => {
        const colon = pair.indexOf(':');
        return colon < 0 ? { channelId: pair } : { channelId: pair.slice(0, colon), userId: pair.slice(colon + 1) };
      }),
      marketingConsent: bool(marketingConsent),
      preferences: Object.fromEntries(Object.entries(preferences).filter(([, value]) => value !== undefined)),
    };
  });
}

function cell(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(';').map((part) => part.trim()).filter((part) => part !== '');
}

/** Leaves anything else as text, so the schema reports it instead of guessing. */
function bool(value: string | undefined): boolean | string | undefined {
  const text = cell(value)?.toLowerCase();
  if (text === 'true' || text === 'yes') return true;
  if (text === 'false' || text === 'no') return false;
  return text;
}
