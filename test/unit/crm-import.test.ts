/**
 * Merging a CRM record over a stored profile: the CRM's facts win, what the bot learnt is kept,
 * and an opt-out the profile holds is never undone by an import.
 */
import { crmCustomerSchema, mergeCrmCustomer } from '../../personalization/crm-import';
import type { CustomerProfile } from '../../storage/ports';

const now = new Date('2026-12-04T12:00:00Z');
const earlier = new Date('2026-11-01T12:00:00Z');

function stored(marketing: boolean): CustomerProfile {
  return {
    id: 'c1',
    identities: [{ channelId: 'telegram', userId: 't1' }],
    tier: 'standard',
    products: [],
    preferences: { tone: 'friendly' },
    consent: { marketing, updatedAt: earlier },
    createdAt: earlier,
    updatedAt: earlier,
  };
}

const crm = (marketingConsent: boolean) => crmCustomerSchema.parse({ id: 'c1', tier: 'plus', products: ['savings'], marketingConsent });

describe('mergeCrmCustomer', () => {
  it('keeps an opt-out stored on the profile when the CRM still says yes', () => {
    const merged = mergeCrmCustomer(crm(true), stored(false), now);
    expect(merged.consent).toEqual({ marketing: false, updatedAt: earlier });
    expect(merged.tier).toBe('plus');
  });

  it('lets the CRM withdraw consent, dated now', () => {
    expect(mergeCrmCustomer(crm(false), stored(true), now).consent).toEqual({ marketing: false, updatedAt: now });
  });

  it('takes the CRM consent for a new customer, and keeps what the bot learnt for a known one', () => {
    expect(mergeCrmCustomer(crm(true), undefined, now).consent).toEqual({ marketing: true, updatedAt: now });
    const merged = mergeCrmCustomer(crm(true), stored(true), now);
    expect(merged.identities).toEqual([{ channelId: 'telegram', userId: 't1' }]);
    expect(merged.preferences.tone).toBe('friendly');
  });
});
