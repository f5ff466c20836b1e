/**
 * What the offer engine may look at, and nothing else. The type is the privacy guarantee: it has
 * no field for age, gender, ethnicity, religion, health or any other sensitive attribute, and
 * `offerInputFrom` copies field by field, so extra properties on a profile can never reach it.
 */
import type { Perception } from '../../escalation/frustration-meter';
import type { Understanding } from '../../nlu/types';
import type { CustomerTier } from '../../storage/ports';
import type { CustomerSnapshot } from '../customer-context';
import type { PersonalMemory } from '../personal-memory';
import type { OfferId } from './offer-catalog';

export interface OfferCustomer {
  readonly tier: CustomerTier;
  readonly products: readonly string[];
  readonly marketingConsent: boolean;
}

/** The moment: what the customer is doing and how they feel this turn. */
export interface OfferMoment {
  readonly intent: string;
  /** Sentiment −1…1 of this message. */
  readonly sentiment: number;
  readonly anger: number;
  readonly anxiety: number;
  /** The conversation's frustration 0…1 after this message. */
  readonly frustration: number;
}

export interface OfferHistory {
  /** Offers already shown in this conversation. */
  readonly shownThisSession: readonly OfferId[];
  /** Offers shown to this customer within the contact-frequency window, any channel. */
  readonly shownInWindow: number;
}

export interface OfferInput {
  /** Undefined for an anonymous visitor: they have given no consent, so they get no offer. */
  readonly customer?: OfferCustomer;
  readonly moment: OfferMoment;
  readonly history: OfferHistory;
}

export function offerCustomerOf(snapshot: CustomerSnapshot | undefined): OfferCustomer | undefined {
  if (!snapshot) return undefined;
  return { tier: snapshot.tier, products: [...snapshot.products], marketingConsent: snapshot.marketingConsent };
}

/** The offer engine's input for this turn, from what the pipeline already holds (no storage read). */
export function offerInputOf(
  memory: Pick<PersonalMemory, 'offersShown' | 'shownInWindow'>,
  customer: CustomerSnapshot | undefined,
  understanding: Understanding,
  perception: Pick<Perception, 'score'>,
): OfferInput {
  const { sentiment } = understanding;
  return {
    customer: offerCustomerOf(customer),
    moment: {
      intent: understanding.intent.intent,
      sentiment: sentiment.score,
      anger: sentiment.cues.anger,
      anxiety: sentiment.cues.anxiety,
      frustration: perception.score,
    },
    history: { shownThisSession: memory.offersShown, shownInWindow: memory.shownInWindow ?? 0 },
  };
}
