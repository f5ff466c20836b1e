/**
 * The offer catalog (next best action): each offer with the product it sells (never offered to a
 * holder), its value to the customer, and the rules that make it relevant now. Every rule names
 * its reason, so "why am I seeing this?" answers with the real reasons (copy in offers.lg).
 */
import type { CustomerTier } from '../../storage/ports';
import type { OfferCustomer, OfferMoment } from './offer-input';

export const OFFER_IDS = ['travel_card', 'fee_refund', 'savings_account', 'premium_account', 'card_upgrade'] as const;
export type OfferId = (typeof OFFER_IDS)[number];

export function isOfferId(value: unknown): value is OfferId {
  return typeof value === 'string' && (OFFER_IDS as readonly string[]).includes(value);
}

/** A reason an offer fits, as shown to the customer (`offerReason` in offers.lg has its copy). */
export type OfferReason =
  | 'asked_about_foreign_payments'
  | 'asked_about_a_fee'
  | 'moves_money_often'
  | 'getting_a_new_card'
  | 'loyal_customer'
  | 'product_not_held'
  | 'marketing_consent';

export interface Relevance {
  /** 0…1: how well the offer fits what the customer is doing now. */
  readonly relevance: number;
  readonly reasons: readonly OfferReason[];
}

export interface CatalogOffer {
  readonly id: OfferId;
  /** The product it sells; undefined for goodwill (e.g. a fee refund), which nobody "holds". */
  readonly product?: string;
  /** 0…1: value to the customer (a fee never paid again ranks above a nicer card). */
  readonly value: number;
  readonly relevance: (customer: OfferCustomer, moment: OfferMoment) => Relevance | undefined;
}

const FOREIGN_PAYMENT_INTENTS: ReadonlySet<string> = new Set([
  'exchange_rate',
  'exchange_charge',
  'card_payment_wrong_exchange_rate',
  'wrong_exchange_rate_for_cash_withdrawal',
  'fiat_currency_support',
  'exchange_via_app',
  'country_support',
  'atm_support',
]);
const FEE_INTENTS: ReadonlySet<string> = new Set([
  'card_payment_fee_charged',
  'exchange_charge',
  'extra_charge_on_statement',
  'transfer_fee_charged',
  'cash_withdrawal_charge',
  'top_up_by_card_charge',
]);
const MONEY_MOVEMENT_INTENTS: ReadonlySet<string> = new Set([
  'top_up_failed',
  'top_up_reverted',
  'pending_top_up',
  'topping_up_by_card',
  'transfer_timing',
  'transfer_into_account',
  'receiving_money',
  'balance_not_updated_after_bank_transfer',
]);
const NEW_CARD_INTENTS: ReadonlySet<string> = new Set(['card_arrival', 'card_delivery_estimate', 'card_about_to_expire', 'order_physical_card', 'getting_spare_card']);
const LOYAL_TIERS: ReadonlySet<CustomerTier> = new Set(['plus', 'premium', 'private']);

const when = (fits: boolean, relevance: number, ...reasons: OfferReason[]): Relevance | undefined => (fits ? { relevance, reasons } : undefined);

export const OFFER_CATALOG: readonly CatalogOffer[] = [
  {
    id: 'travel_card',
    product: 'travel_card',
    value: 0.8,
    relevance: (_customer, moment) => when(FOREIGN_PAYMENT_INTENTS.has(moment.intent), 0.9, 'asked_about_foreign_payments'),
  },
  {
    id: 'fee_refund',
    value: 1,
    relevance: (customer, moment) => when(FEE_INTENTS.has(moment.intent) && LOYAL_TIERS.has(customer.tier), 0.8, 'asked_about_a_fee', 'loyal_customer'),
  },
  {
    id: 'savings_account',
    product: 'savings_account',
    value: 0.6,
    relevance: (_customer, moment) => when(MONEY_MOVEMENT_INTENTS.has(moment.intent), 0.6, 'moves_money_often'),
  },
  {
    id: 'premium_account',
    product: 'premium_account',
    value: 0.7,
    relevance: (customer, moment) =>
      when(FOREIGN_PAYMENT_INTENTS.has(moment.intent) && (customer.tier === 'standard' || customer.tier === 'plus'), 0.5, 'asked_about_foreign_payments'),
  },
  {
    id: 'card_upgrade',
    product: 'metal_card',
    value: 0.5,
    relevance: (customer, moment) =>
      when(NEW_CARD_INTENTS.has(moment.intent) && customer.products.some((p) => p === 'debit_card' || p === 'credit_card'), 0.7, 'getting_a_new_card'),
  },
];
