/**
 * Offer experiments: which offer a customer sees in an offer slot, or whether they see one, per
 * sticky variant of an experiment on that slot (experiments/experiment-router.ts). An experiment
 * only acts once the policy has decided an offer may be made (consent, mood, contact cap), so it
 * can change the offer or hold it back but never make one the policy suppressed. Outcomes need
 * nothing extra: offer events carry the conversation, and exposures map conversations to variants.
 */
import type { RenderAudience } from '../../content/content-library';
import { isOfferId, OFFER_CATALOG, type OfferId, type OfferReason } from './offer-catalog';

/** The follow-up after a turn that served the customer: today the one place offers appear. */
export const FOLLOW_UP_SLOT = 'follow_up';
export const OFFER_SLOTS: readonly string[] = [FOLLOW_UP_SLOT];
/** A variant's `offerId` meaning "show no offer" (a hold-out group). */
export const NO_OFFER = 'none';

/** The variant a running experiment on the slot assigned to this audience. */
export interface OfferVariantChoice {
  readonly experimentId: string;
  readonly variantId: string;
  /** The offer to show, NO_OFFER, or undefined for the policy's own choice (control). */
  readonly offerId?: string;
}

/** What personalization asks the experiments about (implemented by ExperimentRouter). */
export interface OfferExperiments {
  /** The variant for this audience if an experiment runs on the slot; records the exposure. */
  chooseOffer(slot: string, audience: RenderAudience): OfferVariantChoice | undefined;
}

export interface OfferToShow {
  readonly offerId: OfferId;
  readonly reasons: readonly OfferReason[];
}

/** True for what an offer variant may name: a catalog offer or NO_OFFER. */
export function isOfferVariant(offerId: string): boolean {
  return offerId === NO_OFFER || isOfferId(offerId);
}

/**
 * The offer to show under the variant, or undefined for none. A variant offer the customer holds,
 * or saw in this conversation, is not repeated: the policy's offer is shown instead, as to control.
 * A substituted offer's reasons are only those that are true of it ("why am I seeing this?").
 */
export function offerForVariant(
  policyOffer: OfferToShow,
  choice: OfferVariantChoice | undefined,
  customer: { readonly products: readonly string[]; readonly shownThisSession: readonly string[] },
): OfferToShow | undefined {
  const wanted = choice?.offerId;
  if (wanted === undefined || wanted === policyOffer.offerId) return policyOffer;
  if (wanted === NO_OFFER) return undefined;
  const offer = OFFER_CATALOG.find((o) => o.id === wanted);
  if (!offer || customer.shownThisSession.includes(offer.id)) return policyOffer;
  if (offer.product !== undefined && customer.products.includes(offer.product)) return policyOffer;
  const reasons: OfferReason[] = offer.product !== undefined ? ['product_not_held', 'marketing_consent'] : ['marketing_consent'];
  return { offerId: offer.id, reasons };
}
