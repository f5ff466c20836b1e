/**
 * Chooses the next best offer for this turn, or none and why (DESIGN.md §5). Pure and
 * synchronous: the Decide stage calls it on every turn, so it reads nothing and costs
 * microseconds. Suppression comes first, each rule named; then score = relevance × value.
 */
import { OFFER_CATALOG, type CatalogOffer, type OfferId, type OfferReason } from './offer-catalog';
import type { OfferInput, OfferMoment } from './offer-input';

/** Frustration above this (a low bar, far below escalation) means: not the moment to sell. */
export const FRUSTRATION_BAR = 0.2;
/** At most this many offers per customer within CONTACT_WINDOW_DAYS, across channels. */
export const CONTACT_CAP = 3;
export const CONTACT_WINDOW_DAYS = 7;
/** Below this score an offer is noise, not help. */
export const MIN_SCORE = 0.2;

const SMALL_TALK: ReadonlySet<string> = new Set(['greeting', 'thanks', 'goodbye', 'affirm', 'deny']);

export type Suppression =
  /** The turn is not one that served the customer (escalation, a miss, a personal reply). */
  | 'not_the_moment'
  | 'anonymous'
  | 'no_marketing_consent'
  | 'frustrated'
  | 'upset_while_seeking_support'
  | 'contact_cap_reached'
  | 'already_held'
  | 'already_shown_this_session'
  | 'nothing_relevant'
  // Found only right before showing (personal-touch.ts), never by this pure policy:
  /** The reply asks the customer something (a task's next step, resume): an offer would compete with it. */
  | 'question_pending'
  /** The customer waits for a person, or talks to one, in another conversation. */
  | 'escalation_active'
  /** A running offer experiment put the customer in its no-offer group. */
  | 'experiment_holdout';

export type OfferDecision =
  | { readonly kind: 'offer'; readonly offerId: OfferId; readonly score: number; readonly reasons: readonly OfferReason[] }
  | { readonly kind: 'none'; readonly suppressedBy: Suppression };

export function chooseOffer(input: OfferInput, catalog: readonly CatalogOffer[] = OFFER_CATALOG): OfferDecision {
  const { customer, moment, history } = input;
  const none = (suppressedBy: Suppression): OfferDecision => ({ kind: 'none', suppressedBy });
  if (!customer) return none('anonymous');
  if (!customer.marketingConsent) return none('no_marketing_consent');
  if (moment.frustration > FRUSTRATION_BAR) return none('frustrated');
  if (isSeekingSupport(moment) && isUpset(moment)) return none('upset_while_seeking_support');
  if (history.shownInWindow >= CONTACT_CAP) return none('contact_cap_reached');

  let best: Extract<OfferDecision, { kind: 'offer' }> | undefined;
  let filtered: Suppression = 'nothing_relevant';
  for (const offer of catalog) {
    const fit = offer.relevance(customer, moment);
    if (!fit) continue;
    if (offer.product !== undefined && customer.products.includes(offer.product)) {
      filtered = 'already_held';
      continue;
    }
    if (history.shownThisSession.includes(offer.id)) {
      filtered = 'already_shown_this_session';
      continue;
    }
    const score = fit.relevance * offer.value;
    if (score < MIN_SCORE || (best && best.score >= score)) continue;
    const reasons: OfferReason[] = [...fit.reasons];
    if (offer.product !== undefined) reasons.push('product_not_held');
    reasons.push('marketing_consent');
    best = { kind: 'offer', offerId: offer.id, score, reasons };
  }
  return best ?? none(filtered);
}

function isSeekingSupport(moment: OfferMoment): boolean {
  return !SMALL_TALK.has(moment.intent);
}

/** Negative mood: a sour message, anger or worry. */
function isUpset(moment: OfferMoment): boolean {
  return moment.sentiment <= -0.2 || moment.anger >= 0.4 || moment.anxiety >= 0.5;
}
