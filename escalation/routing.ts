/**
 * Routes an escalation to a pool with a priority (DESIGN.md §4): task complexity (per-intent
 * table, failed attempts, several intents) decides apprentice or expert; priority is urgency
 * (frustration, risk) × customer value (tier). Every factor is a named reason.
 */
import type { Reason } from '../core/reason';
import type { AgentPool, CustomerTier, EscalationTrigger } from '../storage/ports';

/** 1 = simple (apprentice), 3 = complex (expert). Intents not listed count as 2. */
const INTENT_COMPLEXITY: Readonly<Record<string, 1 | 3>> = {
  card_arrival: 1,
  card_delivery_estimate: 1,
  exchange_rate: 1,
  exchange_charge: 1,
  top_up_failed: 1,
  top_up_limits: 1,
  change_pin: 1,
  get_physical_card: 1,
  order_physical_card: 1,
  atm_support: 1,
  declined_card_payment: 1,
  lost_or_stolen_card: 3,
  compromised_card: 3,
  lost_or_stolen_phone: 3,
  card_payment_not_recognised: 3,
  cash_withdrawal_not_recognised: 3,
  direct_debit_payment_not_recognised: 3,
  transaction_charged_twice: 3,
  wrong_amount_of_cash_received: 3,
  request_refund: 3,
  terminate_account: 3,
  verify_my_identity: 3,
  complaint: 3,
};

const TIER_VALUE: Readonly<Record<CustomerTier, number>> = { standard: 1, plus: 1.5, premium: 2, private: 3 };

export interface RoutingInput {
  readonly trigger: EscalationTrigger;
  /** The customer's task intents so far, oldest first (no small talk, no oos). */
  readonly intents: readonly string[];
  readonly failedTurns: number;
  readonly frustration: number;
  /** Undefined for an anonymous visitor (treated as standard). */
  readonly tier?: CustomerTier;
}

export interface Route {
  readonly pool: AgentPool;
  /** Higher is served first. */
  readonly priority: number;
  readonly complexity: number;
  readonly reasons: readonly Reason[];
}

/** Frustration at which a customer counts as at risk of leaving: an expert takes the chat. */
const AT_RISK_FRUSTRATION = 0.85;

export function routeEscalation(input: RoutingInput): Route {
  const reasons: Reason[] = [];
  const latest = input.intents.at(-1);
  const base = latest === undefined ? 2 : (INTENT_COMPLEXITY[latest] ?? 2);
  reasons.push({ name: 'task_complexity', weight: base, detail: latest });
  let complexity = base;
  if (input.failedTurns >= 2) {
    complexity += 1;
    reasons.push({ name: 'bot_failed_repeatedly', weight: 1 });
  }
  if (new Set(input.intents).size >= 3) {
    complexity += 1;
    reasons.push({ name: 'several_requests', weight: 1 });
  }

  const tier = input.tier ?? 'standard';
  const value = TIER_VALUE[tier];
  reasons.push({ name: 'customer_value', weight: value, detail: tier });
  const highRisk = input.trigger === 'high_risk';
  const atRisk = input.frustration >= AT_RISK_FRUSTRATION;
  if (highRisk) reasons.push({ name: 'high_risk_intent', weight: 2 });
  if (atRisk) reasons.push({ name: 'customer_at_risk', weight: 1 });

  const expert = highRisk || atRisk || complexity >= 3 || value >= TIER_VALUE.premium;
  const urgency = 1 + 2 * input.frustration + (highRisk ? 2 : 0);
  return { pool: expert ? 'expert' : 'apprentice', priority: Math.round(urgency * value * 10), complexity, reasons };
}
