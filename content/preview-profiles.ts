/**
 * The profiles a content preview may be rendered for: the demo personas of
 * personalization/data/demo-customers.json (the customers `npm run seed` loads), taken from that
 * file and never from the store. Content people write copy; they do not see customers
 * (DESIGN.md §3: customer data is personal data), so a preview "for a profile" is for a persona,
 * whichever staff role asks.
 */
import { z } from 'zod';
import { AttuneError } from '../core/errors';
import { crmCustomerSchema, mergeCrmCustomer } from '../personalization/crm-import';
import demoCustomers from '../personalization/data/demo-customers.json';
import type { CustomerProfile } from '../storage/ports';

/** What the studio shows to pick a persona: the fields a preview can depend on. */
export interface PreviewPersona {
  readonly id: string;
  readonly firstName?: string;
  readonly tier: CustomerProfile['tier'];
  readonly products: readonly string[];
  readonly preferences: CustomerProfile['preferences'];
  readonly marketingConsent: boolean;
}

/** A fixed date, so a persona is the same on every instance and every start. */
const PERSONA_DATE = new Date('2025-01-01T00:00:00Z');

export class PreviewProfiles {
  private constructor(private readonly byId: ReadonlyMap<string, CustomerProfile>) {}

  /** The demo customers shipped with attune. */
  static demo(): PreviewProfiles {
    return PreviewProfiles.fromRecords(demoCustomers);
  }

  /** Personas from CRM-format records (the demo file's format); throws a ZodError on a bad record. */
  static fromRecords(records: unknown): PreviewProfiles {
    const customers = z.array(crmCustomerSchema).parse(records);
    return new PreviewProfiles(new Map(customers.map((crm) => [crm.id, mergeCrmCustomer(crm, undefined, PERSONA_DATE)])));
  }

  list(): PreviewPersona[] {
    return [...this.byId.values()].map((p) => ({
      id: p.id,
      firstName: p.firstName,
      tier: p.tier,
      products: p.products,
      preferences: p.preferences,
      marketingConsent: p.consent.marketing,
    }));
  }

  /**
   * The persona with this id.
   *
   * @throws AttuneError `ATTUNE_PREVIEW_PROFILE_INVALID` for any other id, a real customer's
   *   included: the answer is the same whether or not such a customer exists.
   */
  get(id: string): CustomerProfile {
    const profile = this.byId.get(id);
    if (profile) return profile;
    const ids = [...this.byId.keys()].join(', ');
    throw new AttuneError('ATTUNE_PREVIEW_PROFILE_INVALID', `Previews are rendered for the demo personas only (${ids}), never for a customer's profile.`);
  }
}
