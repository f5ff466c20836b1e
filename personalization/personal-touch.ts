/**
 * The personal part of a turn, around the Decide and Act stages (DESIGN.md §5): answers to what
 * personalization asked (offer, resume, preference question), "why am I seeing this?" and "stop
 * offers"; after the Act stage, at most one personal follow-up (resume the unfinished task, the
 * next best offer, or one preference question), and only when no task dialog waits for an answer.
 * Storage is touched only when something personal happens, never on an ordinary turn.
 */
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { getTurnInsight } from '../dialogs/turn-insight';
import type { Perception } from '../escalation/frustration-meter';
import type { CustomerProfiles, Escalations, OfferEventKind, OfferEvents } from '../storage/ports';
import type { CustomerLookup, CustomerSnapshot } from './customer-context';
import { offerActivity } from './offers/offer-card';
import { FOLLOW_UP_SLOT, offerForVariant, type OfferExperiments, type OfferToShow } from './offers/offer-experiment';
import { CONTACT_CAP, CONTACT_WINDOW_DAYS, type OfferDecision, type Suppression } from './offers/offer-policy';
import type { PersonalMemory } from './personal-memory';
import type { PersonalReply } from './personal-replies';
import { editProfile, withoutUnfinishedTask } from './profile-editor';
import { profilingQuestionFor, withAnswer } from './profiling';
import type { TaskProgress } from './task-progress';
import type { Tone } from './tone';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PersonalTouchDependencies {
  readonly profiles: CustomerProfiles;
  readonly offerEvents: OfferEvents;
  /** Whether the customer waits for a person elsewhere, checked right before an offer. */
  readonly escalations: Escalations;
  readonly content: ContentLibrary;
  /** Running offer experiments (experiments/experiment-router.ts); without it the policy's offer is shown. */
  readonly offerExperiments?: OfferExperiments;
  readonly now?: () => Date;
}

/** One turn, as personalization sees it. `lookup.customer` is updated when the profile changes. */
export interface PersonalTurn {
  readonly context: TurnContext;
  readonly dialogs: DialogContext;
  readonly memory: PersonalMemory;
  readonly lookup: CustomerLookup;
  readonly conversationKey: string;
}

/** What the turn did, for choosing a follow-up. */
export interface TurnOutcome {
  /** The Decide stage's action kind. */
  readonly action: string;
  /** The small-talk template, when the action was small talk. */
  readonly smallTalk?: string;
  readonly offer: OfferDecision;
  readonly perception: Perception;
  readonly tone: Tone;
}

/** Actions after which the customer got what they came for (if no dialog is still asking). */
const SERVED_ACTIONS: ReadonlySet<string> = new Set(['start_task', 'continue_task', 'small_talk']);

export class PersonalTouch {
  private readonly now: () => Date;

  constructor(private readonly deps: PersonalTouchDependencies) {
    if (!deps.profiles) throw new Error('[PersonalTouch]: Missing parameter. profiles is required');
    if (!deps.offerEvents) throw new Error('[PersonalTouch]: Missing parameter. offerEvents is required');
    if (!deps.escalations) throw new Error('[PersonalTouch]: Missing parameter. escalations is required');
    if (!deps.content) throw new Error('[PersonalTouch]: Missing parameter. content is required');
    this.now = deps.now ?? (() => new Date());
  }

  /** Once per conversation, for a known customer: the offers they saw within the contact window. */
  async prepare(memory: PersonalMemory, customer: CustomerSnapshot | undefined): Promise<void> {
    if (!customer || memory.shownInWindow !== undefined) return;
    memory.shownInWindow = await this.deps.offerEvents.countShown(customer.id, this.windowStart());
  }

  /**
   * A message that is not an answer to what the bot asked means the customer moved on: a pending
   * offer counts as dismissed, a pending question is dropped.
   */
  async moveOn(turn: PersonalTurn, reply: PersonalReply | undefined): Promise<void> {
    const awaiting = turn.memory.awaiting;
    if (!awaiting || reply !== undefined) return;
    turn.memory.awaiting = undefined;
    if (awaiting.kind === 'offer') await this.recordEvent(turn, 'dismissed', awaiting.offerId);
  }

  async respond(turn: PersonalTurn, reply: PersonalReply): Promise<void> {
    const { memory } = turn;
    switch (reply.kind) {
      case 'stop_offers':
        await this.stopOffers(turn);
        return;
      case 'why_offer':
        // The offer stays open: having read why, the customer may still take it.
        if (memory.lastOffer) await this.say(turn.context, 'offers.why', { reasons: [...memory.lastOffer.reasons] });
        else await this.say(turn.context, 'offers.whyNone');
        return;
      case 'offer_answer': {
        const offer = memory.awaiting?.kind === 'offer' ? memory.awaiting.offerId : undefined;
        memory.awaiting = undefined;
        if (offer) await this.recordEvent(turn, reply.accepted ? 'accepted' : 'declined', offer);
        await this.say(turn.context, reply.accepted ? 'offers.accepted' : 'offers.declined');
        return;
      }
      case 'resume_answer':
        memory.awaiting = undefined;
        await (reply.resume ? this.resume(turn) : this.startFresh(turn));
        return;
      case 'profiling_answer': {
        memory.awaiting = undefined;
        const customer = turn.lookup.customer;
        if (customer) {
          const saved = await editProfile(this.deps.profiles, customer.id, (p) => ({ ...p, preferences: withAnswer(p.preferences, reply.question, reply.answer) }), this.now());
          if (saved) turn.lookup.customer = { ...customer, style: saved.preferences.tone, contactChannel: saved.preferences.contactChannel };
        }
        await this.say(turn.context, 'profiling.thanks');
        return;
      }
    }
  }

  /**
   * After the Act stage: at most one personal follow-up, never while a dialog waits for an answer.
   * Resolves why the offer Decide chose was withheld at the last check, if it was, so the turn's
   * record can say so instead of naming an offer the customer never saw.
   */
  async follow(turn: PersonalTurn, outcome: TurnOutcome): Promise<Suppression | undefined> {
    const { memory } = turn;
    const questionPending = outcome.offer.kind === 'offer' ? 'question_pending' : undefined;
    // A person was just offered: a second question now would make "yes" ambiguous.
    if (turn.dialogs.activeDialog !== undefined || memory.awaiting !== undefined || outcome.action === 'escalate' || outcome.action === 'offer_person') return questionPending;
    if (await this.offerResume(turn)) return questionPending;
    if (!SERVED_ACTIONS.has(outcome.action)) return undefined;
    let withheld: Suppression | undefined;
    if (outcome.offer.kind === 'offer') {
      const presented = await this.presentOffer(turn, outcome.offer);
      if (presented === 'shown') return undefined;
      withheld = presented;
    }
    await this.askPreference(turn, outcome);
    return withheld;
  }

  private async askPreference(turn: PersonalTurn, outcome: TurnOutcome): Promise<void> {
    const { memory } = turn;
    const customer = turn.lookup.customer;
    const succeeded = outcome.action !== 'small_talk' || outcome.smallTalk === 'thanks';
    const question = profilingQuestionFor({ customer, alreadyAsked: memory.profilingAsked, frustration: outcome.perception.score, tone: outcome.tone, succeeded });
    if (!question) return;
    memory.profilingAsked = true;
    memory.awaiting = { kind: 'profiling', question };
    await this.say(turn.context, `profiling.ask.${question}`);
  }

  /**
   * Once per conversation: offers to pick up the task the customer left half-way in another
   * conversation (any linked channel). Called after the first message, or as soon as the customer
   * joins when the channel already identifies them; resolves whether it asked.
   */
  async offerResume(turn: Pick<PersonalTurn, 'context' | 'memory' | 'lookup' | 'conversationKey'>): Promise<boolean> {
    const { memory } = turn;
    if (memory.resumeChecked || memory.awaiting !== undefined) return false;
    memory.resumeChecked = true;
    const task = turn.lookup.customer?.unfinishedTask;
    if (!task || task.conversationId === turn.conversationKey) return false;
    memory.awaiting = { kind: 'resume' };
    await this.say(turn.context, 'resume.offer', { task: task.dialogId, stepsDone: Object.keys(task.steps).length });
    return true;
  }

  /** Writes the task dialog's progress to the profile, so it can be resumed on any linked channel. */
  async keepProgress(turn: PersonalTurn, progress: TaskProgress, channelId: string): Promise<void> {
    const change = progress.change;
    const customer = turn.lookup.customer;
    if (!change || !customer) return;
    const now = this.now();
    if (change.kind === 'saved') {
      const task = { dialogId: change.dialogId, conversationId: turn.conversationKey, channelId, steps: change.steps };
      await editProfile(this.deps.profiles, customer.id, (p) => ({ ...p, unfinishedTask: { ...task, updatedAt: now } }), now);
      turn.lookup.customer = { ...customer, unfinishedTask: task };
      return;
    }
    if (customer.unfinishedTask?.dialogId !== change.dialogId) return;
    await editProfile(this.deps.profiles, customer.id, withoutUnfinishedTask, now);
    turn.lookup.customer = { ...customer, unfinishedTask: undefined };
  }

  /**
   * Consent, the contact cap and whether the customer waits for a person (on any channel) are
   * checked against storage right before showing, in parallel, so an opt-out given a minute ago on
   * another channel is honoured here too, and nobody queued for help elsewhere is sold to.
   * Resolves 'shown', or why the offer was withheld.
   */
  private async presentOffer(turn: PersonalTurn, offer: Extract<OfferDecision, { kind: 'offer' }>): Promise<'shown' | Suppression> {
    const customer = turn.lookup.customer;
    if (!customer) return 'anonymous';
    const [profile, shown, waiting] = await Promise.all([
      this.deps.profiles.get(customer.id),
      this.deps.offerEvents.countShown(customer.id, this.windowStart()),
      this.deps.escalations.list({ statuses: ['queued', 'assigned'], customerId: customer.id }, 1),
    ]);
    if (!profile?.consent.marketing) {
      turn.lookup.customer = { ...customer, marketingConsent: false };
      return 'no_marketing_consent';
    }
    turn.memory.shownInWindow = shown;
    if (shown >= CONTACT_CAP) return 'contact_cap_reached';
    if (waiting.length > 0) return 'escalation_active';
    const chosen = this.underExperiment(turn, customer, { offerId: offer.offerId, reasons: offer.reasons });
    if (!chosen) return 'experiment_holdout';
    const shownOffer = { id: chosen.offerId, reasons: chosen.reasons };
    await turn.context.sendActivity(offerActivity(this.deps.content, getTurnInsight(turn.context), shownOffer));
    turn.memory.lastOffer = shownOffer;
    turn.memory.offersShown.push(chosen.offerId);
    turn.memory.shownInWindow = shown + 1;
    turn.memory.awaiting = { kind: 'offer', offerId: chosen.offerId };
    await this.recordEvent(turn, 'shown', chosen.offerId, chosen.reasons);
    return 'shown';
  }

  /**
   * An offer experiment on the follow-up slot may swap the offer or hold it back (undefined). Asked
   * only here, after consent and the cap, so exposures count the customers who could see an offer.
   */
  private underExperiment(turn: PersonalTurn, customer: CustomerSnapshot, policyOffer: OfferToShow): OfferToShow | undefined {
    const audience = getTurnInsight(turn.context).audience;
    const choice = audience && this.deps.offerExperiments?.chooseOffer(FOLLOW_UP_SLOT, audience);
    return offerForVariant(policyOffer, choice, { products: customer.products, shownThisSession: turn.memory.offersShown });
  }

  private async stopOffers(turn: PersonalTurn): Promise<void> {
    const { memory } = turn;
    const pending = memory.awaiting?.kind === 'offer' ? memory.awaiting.offerId : undefined;
    if (pending) memory.awaiting = undefined;
    const customer = turn.lookup.customer;
    if (customer) {
      const now = this.now();
      await editProfile(this.deps.profiles, customer.id, (p) => ({ ...p, consent: { ...p.consent, marketing: false, updatedAt: now } }), now);
      turn.lookup.customer = { ...customer, marketingConsent: false };
      await this.recordEvent(turn, 'opted_out', pending ?? memory.lastOffer?.id ?? 'all');
    }
    await this.say(turn.context, 'offers.stopped');
  }

  /** Re-reads the task (it may have moved on elsewhere) and continues it with the steps kept. */
  private async resume(turn: PersonalTurn): Promise<void> {
    const customer = turn.lookup.customer;
    const task = customer && (await this.deps.profiles.get(customer.id))?.unfinishedTask;
    if (!task) {
      await this.say(turn.context, 'resume.nothingToResume');
      return;
    }
    await turn.dialogs.cancelAllDialogs();
    await turn.dialogs.beginDialog(task.dialogId, { resume: task.steps });
  }

  private async startFresh(turn: PersonalTurn): Promise<void> {
    const customer = turn.lookup.customer;
    if (customer) {
      await editProfile(this.deps.profiles, customer.id, withoutUnfinishedTask, this.now());
      turn.lookup.customer = { ...customer, unfinishedTask: undefined };
    }
    await this.say(turn.context, 'resume.startFresh');
  }

  private async recordEvent(turn: PersonalTurn, kind: OfferEventKind, offerId: string, reasons: readonly string[] = []): Promise<void> {
    const customer = turn.lookup.customer;
    if (!customer) return;
    await this.deps.offerEvents.record({
      id: randomUUID(),
      offerId,
      kind,
      customerId: customer.id,
      conversationId: turn.conversationKey,
      channelId: turn.context.activity.channelId,
      reasons: [...reasons],
      at: this.now(),
    });
  }

  private async say(context: TurnContext, template: string, data: Record<string, unknown> = {}): Promise<void> {
    const insight = getTurnInsight(context);
    await context.sendActivity(
      this.deps.content.render({ template, tone: insight.tone, locale: insight.locale, channel: insight.channel, data: { ...insight.templateData, ...data } }),
    );
  }

  private windowStart(): Date {
    return new Date(this.now().getTime() - CONTACT_WINDOW_DAYS * DAY_MS);
  }
}
