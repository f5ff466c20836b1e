/**
 * What personalization remembers about one conversation, kept in conversation state next to the
 * rest of the bot's memory (so it costs no extra read or write).
 */
import type { OfferId, OfferReason } from './offers/offer-catalog';
import type { ProfilingQuestion } from './profiling';

/** The question the bot's last message asked, which the customer's next message may answer. */
export type Awaiting =
  | { readonly kind: 'offer'; readonly offerId: OfferId }
  | { readonly kind: 'resume' }
  | { readonly kind: 'profiling'; readonly question: ProfilingQuestion };

export interface ShownOffer {
  readonly id: OfferId;
  readonly reasons: readonly OfferReason[];
}

export interface PersonalMemory {
  awaiting?: Awaiting;
  /** The last offer shown in this conversation: what "why am I seeing this?" explains. */
  lastOffer?: ShownOffer;
  offersShown: OfferId[];
  /** Offers shown to this customer within the contact window (any channel), read once per conversation. */
  shownInWindow?: number;
  profilingAsked: boolean;
  /** The unfinished task was looked at (and offered, if there was one) in this conversation. */
  resumeChecked: boolean;
}

export function freshPersonalMemory(): PersonalMemory {
  return { offersShown: [], profilingAsked: false, resumeChecked: false };
}
