/**
 * The Decide stage per turn (decision ladder + tone + offer choice, with the personal-reply check
 * that runs before it), over a mix of turns: known and anonymous customers, calm and angry,
 * questions that earn an offer and ones that do not, answers to an offer. Target: p99 < 2 ms.
 *
 *   npm run build && node dist/bench/decide.js [turns=200000]
 *
 * No I/O is involved: the stage reads only what the pipeline already holds, by design.
 */
import { decide, type DecisionInput } from '../bots/decide';
import type { Perception } from '../escalation/frustration-meter';
import type { Understanding } from '../nlu/types';
import type { CustomerSnapshot } from '../personalization/customer-context';
import { offerInputOf } from '../personalization/offers/offer-input';
import { freshPersonalMemory, type Awaiting } from '../personalization/personal-memory';
import { recogniseReply } from '../personalization/personal-replies';

const TURNS = Number(process.argv[2] ?? 200_000);
const TARGET_P99_MS = 2;
const settings = { frustrationThreshold: 0.7, failedTurnsToEscalate: 3 };

const calm: Perception = { score: 0.05, reasons: [], consecutiveFailures: 0, humanRequested: false };
const angry: Perception = { score: 0.5, reasons: [{ name: 'anger_cues', weight: 0.3 }], consecutiveFailures: 0, humanRequested: false };

function understood(intent: string, score = 0, anger = 0): Understanding {
  return {
    intent: { intent, confidence: 0.9, alternatives: [{ intent, confidence: 0.9 }, { intent: 'oos', confidence: 0.05 }] },
    entities: [],
    sentiment: { score, cues: { anger, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
  };
}

const ada: CustomerSnapshot = { id: 'ada', tier: 'standard', products: ['current_account', 'debit_card'], useFirstName: true, marketingConsent: true, style: 'formal' };
const ben: CustomerSnapshot = { id: 'ben', tier: 'plus', products: ['current_account', 'travel_card'], useFirstName: true, marketingConsent: true, style: 'friendly' };

interface Scenario {
  readonly text: string;
  readonly understanding: Understanding;
  readonly perception: Perception;
  readonly customer?: CustomerSnapshot;
  readonly awaiting?: Awaiting;
}

const SCENARIOS: readonly Scenario[] = [
  { text: 'What exchange rate do you use for payments in euros?', understanding: understood('exchange_rate'), perception: calm, customer: ada },
  { text: 'What exchange rate do you use for payments in euros?', understanding: understood('exchange_rate', 0.2), perception: calm, customer: ben },
  { text: 'WHAT exchange rate do you use??? ridiculous!!!', understanding: understood('exchange_rate', -0.6, 0.9), perception: angry, customer: ada },
  { text: 'my top up failed', understanding: understood('top_up_failed', -0.1), perception: calm, customer: ben },
  { text: 'hello', understanding: understood('greeting'), perception: calm },
  { text: 'Not now', understanding: understood('deny'), perception: calm, customer: ada, awaiting: { kind: 'offer', offerId: 'travel_card' } },
  { text: 'Why am I seeing this?', understanding: understood('oos'), perception: calm, customer: ada },
  { text: "There's a card payment I don't recognise", understanding: understood('card_payment_not_recognised', -0.3), perception: calm, customer: ben },
];

function decideTurn(scenario: Scenario): void {
  const memory = freshPersonalMemory();
  const input: DecisionInput = {
    text: scenario.text,
    understanding: scenario.understanding,
    perception: scenario.perception,
    taskInProgress: false,
    personOffered: false,
    customer: scenario.customer && { style: scenario.customer.style, tier: scenario.customer.tier },
    personalReply: recogniseReply(scenario.text, scenario.awaiting),
    offer: scenario.customer && offerInputOf(memory, scenario.customer, scenario.understanding, scenario.perception),
  };
  decide(input, settings);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): number {
  if (!(Number.isInteger(TURNS) && TURNS > 0)) {
    console.error(`bench/decide: the number of turns must be a positive integer, got ${process.argv[2]}`);
    return 2;
  }
  for (let i = 0; i < 20_000; i += 1) decideTurn(SCENARIOS[i % SCENARIOS.length]); // warm up the JIT
  const samples = new Float64Array(TURNS);
  for (let i = 0; i < TURNS; i += 1) {
    const started = process.hrtime.bigint();
    decideTurn(SCENARIOS[i % SCENARIOS.length]);
    samples[i] = Number(process.hrtime.bigint() - started) / 1e6;
  }
  samples.sort();
  const micro = (milliseconds: number) => `${(milliseconds * 1000).toFixed(1)} µs`;
  console.log(`\nattune Decide stage (ladder + tone + offers): ${TURNS} turns over ${SCENARIOS.length} scenarios; node ${process.version}\n`);
  console.log(`  p50 ${micro(percentile(samples, 50))}   p99 ${micro(percentile(samples, 99))}   p99.9 ${micro(percentile(samples, 99.9))}   max ${micro(samples[samples.length - 1])}`);
  const p99 = percentile(samples, 99);
  console.log(`\ntarget: p99 < ${TARGET_P99_MS} ms per turn: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'} (${p99.toFixed(4)} ms)`);
  return 0;
}

process.exitCode = main();
