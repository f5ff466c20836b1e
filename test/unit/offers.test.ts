import { snapshotOf } from '../../personalization/customer-context';
import { OFFER_CATALOG } from '../../personalization/offers/offer-catalog';
import { offerCustomerOf, type OfferInput, type OfferMoment } from '../../personalization/offers/offer-input';
import { chooseOffer, CONTACT_CAP, FRUSTRATION_BAR } from '../../personalization/offers/offer-policy';
import type { CustomerProfile } from '../../storage/ports';
import { aProfile } from '../support/fixtures';

const calmFxQuestion: OfferMoment = { intent: 'exchange_rate', sentiment: 0, anger: 0, anxiety: 0, frustration: 0 };

function input(overrides: { customer?: Partial<NonNullable<OfferInput['customer']>>; moment?: Partial<OfferMoment>; history?: Partial<OfferInput['history']> } = {}): OfferInput {
  return {
    customer: { tier: 'standard', products: ['current_account', 'debit_card'], marketingConsent: true, ...overrides.customer },
    moment: { ...calmFxQuestion, ...overrides.moment },
    history: { shownThisSession: [], shownInWindow: 0, ...overrides.history },
  };
}

describe('the offer policy', () => {
  it('offers the travel card to a calm, consenting customer asking about exchange rates, with its reasons', () => {
    expect(chooseOffer(input())).toEqual({
      kind: 'offer',
      offerId: 'travel_card',
      score: expect.closeTo(0.72, 5),
      reasons: ['asked_about_foreign_payments', 'product_not_held', 'marketing_consent'],
    });
  });

  it('ranks by relevance × value: a goodwill fee refund beats a product for a loyal customer asking about a fee', () => {
    const decision = chooseOffer(input({ customer: { tier: 'premium' }, moment: { intent: 'exchange_charge' } }));
    expect(decision).toMatchObject({ kind: 'offer', offerId: 'fee_refund', score: 0.8 });
  });

  describe('suppression', () => {
    it('never offers a product the customer holds; the next best one is offered instead', () => {
      expect(chooseOffer(input({ customer: { products: ['travel_card'] } }))).toMatchObject({ kind: 'offer', offerId: 'premium_account' });
      expect(chooseOffer(input({ customer: { products: ['travel_card', 'premium_account'] } }))).toEqual({ kind: 'none', suppressedBy: 'already_held' });
    });

    it('never shows the same offer twice in a session', () => {
      expect(chooseOffer(input({ history: { shownThisSession: ['travel_card', 'premium_account'] } }))).toEqual({ kind: 'none', suppressedBy: 'already_shown_this_session' });
      expect(chooseOffer(input({ history: { shownThisSession: ['travel_card'] } }))).toMatchObject({ offerId: 'premium_account' });
    });

    it('stops at the contact-frequency cap across sessions', () => {
      expect(chooseOffer(input({ history: { shownInWindow: CONTACT_CAP - 1 } })).kind).toBe('offer');
      expect(chooseOffer(input({ history: { shownInWindow: CONTACT_CAP } }))).toEqual({ kind: 'none', suppressedBy: 'contact_cap_reached' });
    });

    it('needs marketing consent, and a known customer', () => {
      expect(chooseOffer(input({ customer: { marketingConsent: false } }))).toEqual({ kind: 'none', suppressedBy: 'no_marketing_consent' });
      expect(chooseOffer({ ...input(), customer: undefined })).toEqual({ kind: 'none', suppressedBy: 'anonymous' });
    });

    it('is silent when the customer seeks support in a negative mood', () => {
      for (const mood of [{ sentiment: -0.5 }, { anger: 0.6 }, { anxiety: 0.7 }]) {
        expect(chooseOffer(input({ moment: mood }))).toEqual({ kind: 'none', suppressedBy: 'upset_while_seeking_support' });
      }
    });

    it('is silent once frustration passes a low bar, even on small talk', () => {
      expect(chooseOffer(input({ moment: { frustration: FRUSTRATION_BAR } })).kind).toBe('offer');
      expect(chooseOffer(input({ moment: { frustration: FRUSTRATION_BAR + 0.01 } }))).toEqual({ kind: 'none', suppressedBy: 'frustrated' });
      expect(chooseOffer(input({ moment: { intent: 'thanks', frustration: 0.3 } }))).toEqual({ kind: 'none', suppressedBy: 'frustrated' });
    });

    it('offers nothing when nothing fits the moment', () => {
      expect(chooseOffer(input({ moment: { intent: 'greeting' } }))).toEqual({ kind: 'none', suppressedBy: 'nothing_relevant' });
    });
  });

  describe('sensitive attributes', () => {
    type WithSensitive = CustomerProfile & Record<string, unknown>;
    const sensitive: readonly Record<string, unknown>[] = [
      { age: 19, gender: 'female', ethnicity: 'A', religion: 'X', health: 'diabetes' },
      { age: 82, gender: 'male', ethnicity: 'B', religion: 'Y', health: 'none', disability: true },
      {},
    ];

    it('do not change the decision: the engine never receives them', () => {
      const decisions = sensitive.map((attributes) => {
        const profile: WithSensitive = { ...aProfile({ tier: 'standard', products: ['current_account'] }), ...attributes };
        const customer = offerCustomerOf(snapshotOf(profile));
        expect(Object.keys(customer ?? {}).sort()).toEqual(['marketingConsent', 'products', 'tier']);
        return chooseOffer({ customer, moment: calmFxQuestion, history: { shownThisSession: [], shownInWindow: 0 } });
      });
      expect(decisions[0]).toMatchObject({ kind: 'offer', offerId: 'travel_card' });
      expect(decisions[1]).toEqual(decisions[0]);
      expect(decisions[2]).toEqual(decisions[0]);
    });

    it('cannot even be expressed in the engine input type', () => {
      // @ts-expect-error the offer engine's customer has no age (or any other sensitive attribute)
      const customer: NonNullable<OfferInput['customer']> = { tier: 'standard', products: [], marketingConsent: true, age: 30 };
      expect(customer.tier).toBe('standard');
    });
  });

  it('has a unique id and a value in 0…1 for every catalog offer', () => {
    expect(new Set(OFFER_CATALOG.map((o) => o.id)).size).toBe(OFFER_CATALOG.length);
    for (const offer of OFFER_CATALOG) expect(offer.value).toBeGreaterThan(0);
    for (const offer of OFFER_CATALOG) expect(offer.value).toBeLessThanOrEqual(1);
  });
});
