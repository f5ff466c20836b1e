/**
 * The templates the code asks the content library for, with the variables the code passes them.
 * `npm run content -- lint` checks the copy against this list: a template missing here is a reply
 * the bot cannot send, and a variable the code never passes renders empty. A unit test scans the
 * code's `say`/`render`/`ask…` calls so this list cannot fall behind the code unnoticed
 * (test/unit/required-templates.test.ts, with the TypeScript checker: test/support/template-usage.ts).
 *
 * Names built at run time (`choice.${id}`, `fees.${intent}`) are spelled out here.
 */
import { FEE_INTENTS } from '../dialogs/fees-dialog';
import { AGENT_DESK_TOPICS } from '../escalation/suggestions/template-reply-suggester';
import { OFFER_IDS } from '../personalization/offers/offer-catalog';
import { PROFILING_QUESTIONS } from '../personalization/profiling';
import type { EscalationTrigger } from '../storage/ports';

export interface RequiredTemplate {
  /** Template name without the tone suffix. */
  readonly name: string;
  /** `toned`: a customer reply, with a variant per tone; `plain`: a label or helper, one text. */
  readonly kind: 'toned' | 'plain';
  /** Variables the code passes, besides the ones every template gets (COMMON_VARIABLES). */
  readonly variables?: readonly string[];
}

/** Variables every reply may use: the turn's template data (bots/attune-bot.ts templateDataFor). */
export const COMMON_VARIABLES: readonly string[] = ['firstName'];

/** Keyed by the union, so a new escalation trigger does not compile until it is listed here. */
const ESCALATION_TRIGGERS: Readonly<Record<EscalationTrigger, true>> = { human_request: true, high_risk: true, frustration: true, failed_turns: true };

const toned = (name: string, ...variables: string[]): RequiredTemplate => ({ name, kind: 'toned', variables });
const plain = (name: string, ...variables: string[]): RequiredTemplate => ({ name, kind: 'plain', variables });

export const REQUIRED_TEMPLATES: readonly RequiredTemplate[] = [
  // bots/attune-bot.ts, bots/act.ts (small talk is the intent's name: bots/decide.ts SmallTalk)
  toned('welcome'),
  ...['greeting', 'thanks', 'goodbye', 'help', 'noTaskInProgress', 'cancelled', 'offerPerson', 'keepTrying', 'csat.thanks'].map((name) => toned(name)),
  toned('unsupported', 'topic'),
  toned('fallback', 'suggestions'),
  toned('clarify', 'suggestions'),
  plain('choice.talkToPerson'),
  // bots/act.ts while a person is on the way
  ...['handoff.started', 'handoff.cancelled', 'handoff.cannotCancel', 'handoff.stillWaiting', 'handoff.queueDelayed'].map((name) => toned(name)),
  toned('handoff.contactNoted', 'contact'),
  toned('handoff.position', 'position', 'minutes'),
  toned('handoff.afterHours', 'opensAt'),
  // escalation/agent-desk.ts
  toned('handoff.agentJoined', 'agentName'),
  toned('handoff.transferred'),
  toned('handoff.resolved'),
  // server/bot-adapter.ts
  plain('turnError'),
  // server/mask-card-numbers.ts
  plain('security.cardNumberMasked'),
  // dialogs/task-dialog.ts
  plain('general.pickAnOption'),
  plain('general.yesOrNo'),
  ...['withinAWeek', 'overAWeek', 'online', 'inStore', 'abroad', 'byCard', 'byBankTransfer'].map((id) => plain(`choice.${id}`)),
  // dialogs/card-arrival-dialog.ts
  ...['askWhenOrdered', 'stillOnItsWay', 'offerReplacement', 'replacementOrdered', 'replacementDeclined'].map((step) => toned(`cardArrival.${step}`)),
  // dialogs/lost-card-dialog.ts
  ...['askToFreeze', 'frozen', 'notFrozen', 'offerReplacement'].map((step) => toned(`lostCard.${step}`, 'cardEnding')),
  ...['replacementOrdered', 'replacementDeclined'].map((step) => toned(`lostCard.${step}`)),
  // dialogs/declined-payment-dialog.ts
  toned('declinedPayment.askWhere', 'merchant'),
  ...['online', 'inStore', 'abroad'].map((where) => toned(`declinedPayment.reasons.${where}`)),
  // dialogs/top-up-failed-dialog.ts
  toned('topUpFailed.askMethod'),
  ...['byCard', 'byBankTransfer'].map((method) => toned(`topUpFailed.advice.${method}`)),
  // dialogs/fees-dialog.ts
  ...FEE_INTENTS.map((intent) => toned(`fees.${intent}`)),
  // dialogs/dispute.ts
  ...['askKind', 'askMerchant', 'askAmount', 'amountRetry', 'askWhen'].map((step) => toned(`dispute.${step}`)),
  ...['confirm', 'raised', 'notRaised'].map((step) => toned(`dispute.${step}`, 'kind', 'merchant', 'amount', 'when')),
  ...['notRecognised', 'chargedTwice', 'today', 'thisWeek', 'earlier'].map((id) => plain(`choice.${id}`)),
  // personalization/offers/offer-card.ts
  ...OFFER_IDS.map((id) => toned(`offer.${id}`, 'offer', 'reasons')),
  toned('offers.textChoices', 'offer', 'reasons'),
  plain('offerTitle', 'offer'),
  plain('offerReason', 'reason'),
  plain('offerChoices'),
  // personalization/personal-touch.ts
  toned('offers.why', 'reasons'),
  ...['offers.whyNone', 'offers.accepted', 'offers.declined', 'offers.stopped'].map((name) => toned(name)),
  toned('resume.offer', 'task', 'stepsDone'),
  ...['resume.startFresh', 'resume.nothingToResume', 'profiling.thanks'].map((name) => toned(name)),
  ...PROFILING_QUESTIONS.map((question) => toned(`profiling.ask.${question}`)),
  // escalation/suggestions/template-reply-suggester.ts: replies suggested to the agent
  ...Object.keys(ESCALATION_TRIGGERS).map((trigger) => toned(`agentDesk.acknowledge.${trigger}`)),
  ...AGENT_DESK_TOPICS.map((topic) => toned(`agentDesk.topic.${topic}`)),
  toned('agentDesk.nextStep'),
];
