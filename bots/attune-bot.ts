/**
 * The ActivityHandler: runs every customer message through the turn pipeline
 * (Context → Intent → Perceive → Decide → Act → Record, DESIGN.md §1) and greets new customers.
 * State is read once at the start of a turn and written once at the end.
 */
import { ActivityHandler, StatusCodes, type ConversationState, type InvokeResponse, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogSet, DialogState } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { promptAskedAgain } from '../dialogs/content-prompts';
import { createTaskDialogs } from '../dialogs/task-catalog';
import { setTurnInsight } from '../dialogs/turn-insight';
import type { BusinessHours } from '../escalation/business-hours';
import type { EscalationSettings } from '../escalation/escalation-policy';
import { NO_DESK_EVENTS, type DeskEvents } from '../escalation/desk-events';
import type { EscalationService } from '../escalation/escalation-service';
import { FrustrationMeter } from '../escalation/frustration-meter';
import type { Logger } from '../core/logger';
import type { OpenAiIntentRefiner } from '../nlu/llm';
import { OUT_OF_SCOPE, type CustomerClock, type MessageUnderstanding, type Understanding } from '../nlu/types';
import { CustomerContextReader, type CustomerContext } from '../personalization/customer-context';
import type { AttuneStore, EscalationRecord } from '../storage/ports';
import { TurnActions, type ActInput, type PeopleOutcome } from './act';
import { freshMemory, takePersonOffer, withPeople, type ConversationMemory } from './conversation-memory';
import { answersPersonOffer, decide, type Decision } from './decide';
import { PersonalTouch, type PersonalTurn } from '../personalization/personal-touch';
import { freshPersonalMemory } from '../personalization/personal-memory';
import { recogniseReply } from '../personalization/personal-replies';
import { offerInputOf } from '../personalization/offers/offer-input';
import type { OfferExperiments } from '../personalization/offers/offer-experiment';
import { setTaskProgress, TaskProgress } from '../personalization/task-progress';
import { CALM, SESSION_GAP_MS, type FrustrationState, type Perception } from '../escalation/frustration-meter';
import { TurnRecorder, type TurnRecording } from './turn-recorder';

export interface AttuneBotDependencies {
  readonly conversationState: ConversationState;
  readonly store: AttuneStore;
  readonly recognizer: MessageUnderstanding;
  readonly content: ContentLibrary;
  readonly escalation: EscalationSettings;
  readonly escalations: EscalationService;
  readonly businessHours: BusinessHours;
  readonly defaultLocale: string;
  readonly logger: Logger;
  readonly frustrationMeter?: FrustrationMeter;
  /** Optional LLM, consulted only when the local intent model is unsure (bounded by a timeout). */
  readonly intentRefiner?: OpenAiIntentRefiner;
  /** Live updates for the agent desks: what the customer writes while the chat is with people. */
  readonly deskEvents?: DeskEvents;
  /** Running offer experiments: which offer (or none) each variant's customers see. */
  readonly offerExperiments?: OfferExperiments;
  /**
   * Epoch ms now, as the frustration meter times sessions by it and relative dates are resolved
   * from it (default `Date.now`; tests move it).
   */
  readonly now?: () => number;
}

/** What the turn made of the message: the meter's state to keep, its perception, and the decision. */
interface Thought {
  readonly state: FrustrationState;
  readonly perception: Perception;
  readonly decision: Decision;
}

const RECORDING_KEY = Symbol('attune.turnRecording');
/** The escalation whose agent gets this turn's messages live. */
const RELAY_KEY = Symbol('attune.relayToPeople');
const CANCEL_WAIT = /\b(cancel|never ?mind|forget it|no longer need)\b/i;

export class AttuneBot extends ActivityHandler {
  private readonly memory: StatePropertyAccessor<ConversationMemory>;
  private readonly dialogs: DialogSet;
  private readonly contextReader: CustomerContextReader;
  private readonly recorder: TurnRecorder;
  private readonly actions: TurnActions;
  private readonly meter: FrustrationMeter;
  private readonly personal: PersonalTouch;
  private readonly deskEvents: DeskEvents;
  private readonly now: () => number;

  constructor(private readonly deps: AttuneBotDependencies) {
    super();
    if (!deps.conversationState) throw new Error('[AttuneBot]: Missing parameter. conversationState is required');
    if (!deps.store) throw new Error('[AttuneBot]: Missing parameter. store is required');
    if (!deps.recognizer) throw new Error('[AttuneBot]: Missing parameter. recognizer is required');
    if (!deps.content) throw new Error('[AttuneBot]: Missing parameter. content is required');
    this.memory = deps.conversationState.createProperty<ConversationMemory>('attune');
    this.dialogs = createTaskDialogs(deps.conversationState.createProperty<DialogState>('dialogState'), deps.content);
    this.contextReader = new CustomerContextReader({
      profiles: deps.store.customers,
      conversations: deps.store.conversations,
      businessHours: deps.businessHours,
      defaultLocale: deps.defaultLocale,
    });
    this.recorder = new TurnRecorder(deps.store.turns);
    this.actions = new TurnActions({
      content: deps.content,
      conversations: deps.store.conversations,
      turns: deps.store.turns,
      escalations: deps.escalations,
      businessHours: deps.businessHours,
    });
    this.meter = deps.frustrationMeter ?? new FrustrationMeter();
    this.personal = new PersonalTouch({ profiles: deps.store.customers, offerEvents: deps.store.offerEvents, escalations: deps.store.escalations, content: deps.content, offerExperiments: deps.offerExperiments });
    this.deskEvents = deps.deskEvents ?? NO_DESK_EVENTS;
    this.now = deps.now ?? (() => Date.now());

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      await this.welcome(context);
      await next();
    });
  }

  /** Runs the handlers, then persists state and the turn records in parallel, once each. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    const recording = context.turnState.get(RECORDING_KEY) as TurnRecording | undefined;
    await Promise.all([this.deps.conversationState.saveChanges(context), recording && this.recorder.flush(recording)]);
    // After the flush, so a desk that re-reads the transcript on this event finds the turn stored.
    const relayTo = context.turnState.get(RELAY_KEY) as EscalationRecord | undefined;
    if (relayTo && recording) await this.deskEvents.transcriptAdded(relayTo, recording.records());
  }

  /**
   * The bot handles no invoke (no Action.Execute cards, search or sign-in): every invoke is
   * acknowledged with 200 and no body, which channels accept, instead of botbuilder's 501, and none
   * reaches the message pipeline. Also spares botbuilder's adaptiveCard/action parsing, which
   * throws on a malformed value.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const name = typeof context.activity.name === 'string' ? context.activity.name.slice(0, 100) : undefined;
    this.deps.logger.debug({ channel: context.activity.channelId, name }, 'invoke acknowledged, not handled');
    return { status: StatusCodes.OK };
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const receivedAt = new Date();
    const memory = await this.memory.get(context, freshMemory());
    const customerContext = await this.contextReader.read(context.activity, memory.lookup);
    const recording = this.recorder.begin(context, customerContext.conversationKey, customerContext.customer?.id);
    context.turnState.set(RECORDING_KEY, recording);
    await this.openConversation(context, customerContext, memory);

    const text = context.activity.text ?? '';
    const wasWithPeople = withPeople(memory);
    const at = this.now();
    // "Yesterday" is the customer's yesterday: their offset or zone when the channel sent one.
    const clock: CustomerClock = { at: new Date(at), utcOffsetMinutes: customerContext.utcOffsetMinutes, timeZone: customerContext.timezone };
    // While people have the chat, the message is for them: no network call to refine its intent.
    const understanding = await this.understand(text, clock, !wasWithPeople);
    const dialogContext = await this.dialogs.createContext(context);
    const taskInProgress = dialogContext.activeDialog !== undefined && !wasWithPeople;
    const personalMemory = (memory.personal ??= freshPersonalMemory());
    const customer = customerContext.customer;
    await this.personal.prepare(personalMemory, customer);
    // Taken once: whether this message answers a person offered last turn (the offer is spent either way).
    const personOfferPending = takePersonOffer(memory, at, SESSION_GAP_MS);
    /** Perceive and Decide, then the turn's replies take the decided tone. Quick and pure, so a turn may think again. */
    const think = (from: FrustrationState, answerRejected = false): Thought => {
      const forPeople = withPeople(memory);
      // A yes or no to the person offered is an answer, not a misunderstanding; anything else still counts.
      const answeringOffer = personOfferPending && answersPersonOffer(text, understanding.intent.intent);
      const { state, perception } = this.meter.perceive(from, { text, understanding, at, answeringPrompt: taskInProgress || answeringOffer, answerRejected, forPeople });
      const decision = decide(
        {
          text,
          understanding,
          perception,
          taskInProgress,
          personOffered: memory.personOffered,
          personOfferPending,
          customer: customer && { style: customer.style, tier: customer.tier },
          personalReply: forPeople ? undefined : recogniseReply(text, personalMemory.awaiting),
          offer: customer && offerInputOf(personalMemory, customer, understanding, perception),
        },
        this.deps.escalation,
      );
      setTurnInsight(context, {
        tone: decision.tone,
        locale: customerContext.locale,
        channel: customerContext.channel,
        understanding,
        templateData: templateDataFor(customerContext),
        audience: { key: customerContext.customer?.id ?? customerContext.conversationKey, conversationId: customerContext.conversationKey },
      });
      return { state, perception, decision };
    };
    let from = memory.frustration;
    let first = think(from);
    // The meter's state follows the bot's turns only: while people have the chat it stays as it was.
    if (!wasWithPeople) memory.frustration = first.state;

    const conversationKey = customerContext.conversationKey;
    // Only a chat with people costs the read of its escalation; the bot's own turns skip it.
    const outcome: PeopleOutcome = wasWithPeople ? await this.actions.whileWithPeople({ context, memory, conversationKey }, CANCEL_WAIT.test(text)) : { kind: 'back_to_bot' };
    if (wasWithPeople && !withPeople(memory)) {
      // The handoff ended (cancelled, resolved or abandoned): the bot starts afresh with the
      // customer, so the misses that led to it do not send the next one straight back to the queue.
      memory.frustration = CALM;
      if (outcome.kind === 'back_to_bot') {
        from = CALM;
        first = think(from);
        memory.frustration = first.state;
      }
    }
    const act: ActInput = { context, dialogs: dialogContext, decision: first.decision, perception: first.perception, memory, conversationKey, customer: customerContext.customer, recording };
    // What the turn really did: the Decide result only when the bot acts on it.
    const record = ({ perception, decision }: Thought) => {
      const recorded = outcome.kind === 'back_to_bot' ? { action: decision.action.kind, tone: decision.tone, reasons: decision.reasons } : { action: outcome.kind, tone: decision.tone, reasons: [{ name: 'chat_with_people', weight: 1 }] };
      recording.customerSaid(text, { understanding, frustration: { score: perception.score, reasons: perception.reasons }, decision: recorded }, receivedAt);
      return recorded;
    };
    let recorded = record(first);
    let thought = first;
    if (outcome.kind === 'back_to_bot') {
      const personalTurn: PersonalTurn = { context, dialogs: dialogContext, memory: personalMemory, lookup: memory.lookup, conversationKey: customerContext.conversationKey };
      thought = await this.botActs(personalTurn, first, async () => {
        await this.actions.act(act);
        if (first.decision.action.kind !== 'continue_task' || !promptAskedAgain(context)) return first;
        // The dialog did not accept the answer and asked again: the turn failed after all, so it
        // climbs the same ladder as a misunderstanding, and a customer stuck there reaches a person.
        const rejected = think(from, true);
        memory.frustration = rejected.state;
        recorded = record(rejected);
        if (rejected.decision.action.kind === 'escalate') await this.actions.act({ ...act, decision: rejected.decision, perception: rejected.perception });
        return rejected;
      });
    }
    if (outcome.kind === 'relayed_to_people') context.turnState.set(RELAY_KEY, outcome.escalation);
    this.deps.logger.debug({ conversation: customerContext.conversationKey, intent: understanding.intent.intent, action: recorded.action, tone: thought.decision.tone, frustration: thought.perception.score }, 'turn');
  }

  /**
   * The bot's own turn: a personal reply or the decided action, then at most one personal
   * follow-up (resume, offer or preference question), then the task progress kept for resume.
   * The action may think again once it knows how the turn went; the follow-up heeds what it concluded.
   */
  private async botActs(turn: PersonalTurn, thought: Thought, act: () => Promise<Thought>): Promise<Thought> {
    const progress = new TaskProgress();
    setTaskProgress(turn.context, progress);
    const { action } = thought.decision;
    await this.personal.moveOn(turn, action.kind === 'personal' ? action.reply : undefined);
    let concluded = thought;
    if (action.kind === 'personal') await this.personal.respond(turn, action.reply);
    else concluded = await act();
    const { decision, perception } = concluded;
    const smallTalk = decision.action.kind === 'small_talk' ? decision.action.template : undefined;
    const withheld = await this.personal.follow(turn, { action: decision.action.kind, smallTalk, offer: decision.offer, perception, tone: decision.tone });
    if (withheld) (turn.context.turnState.get(RECORDING_KEY) as TurnRecording | undefined)?.offerWithheld(withheld);
    await this.personal.keepProgress(turn, progress, turn.context.activity.channelId);
    return concluded;
  }

  /** Local NLU; the LLM only when configured and the local model is unsure, never slower than its timeout. */
  private async understand(text: string, clock: CustomerClock, mayConsultLlm: boolean): Promise<Understanding> {
    const local = await this.deps.recognizer.understand(text, clock);
    const refiner = this.deps.intentRefiner;
    if (!mayConsultLlm || !refiner || !refiner.shouldConsult(local.intent)) return local;
    const refinement = await refiner.refine(text, local.intent);
    return refinement.source === 'llm' ? { ...local, intent: refinement.prediction } : local;
  }

  private async welcome(context: TurnContext): Promise<void> {
    const customerJoined = (context.activity.membersAdded ?? []).some((member) => member.id !== context.activity.recipient?.id);
    if (!customerJoined) return;
    const memory = await this.memory.get(context, freshMemory());
    if (memory.welcomed) return;
    memory.welcomed = true;
    const customerContext = await this.contextReader.read(context.activity, memory.lookup);
    const templateData = templateDataFor(customerContext);
    setTurnInsight(context, { tone: 'neutral', locale: customerContext.locale, channel: customerContext.channel, understanding: NOTHING_SAID, templateData });
    await context.sendActivity(
      this.deps.content.render({ template: 'welcome', tone: 'neutral', locale: customerContext.locale, channel: customerContext.channel, data: templateData }),
    );
    // A customer the channel already identifies (e.g. a linked identity) hears of their unfinished
    // task at once rather than after their first message; the lookup above is the only read.
    const personal = (memory.personal ??= freshPersonalMemory());
    await this.personal.offerResume({ context, memory: personal, lookup: memory.lookup, conversationKey: customerContext.conversationKey });
  }

  /** Creates the conversation record on the first message (one write); later turns skip it. */
  private async openConversation(context: TurnContext, customerContext: CustomerContext, memory: ConversationMemory): Promise<void> {
    if (memory.opened) return;
    memory.opened = true;
    const now = new Date();
    await this.deps.store.conversations.open({
      id: customerContext.conversationKey,
      channelId: context.activity.channelId,
      conversationId: context.activity.conversation.id,
      customerId: customerContext.customer?.id,
      status: 'bot',
      startedAt: now,
      updatedAt: now,
    });
  }
}

/** What a join (no words yet) tells the turn insight. */
const NOTHING_SAID: Understanding = {
  intent: { intent: OUT_OF_SCOPE, confidence: 0, alternatives: [] },
  entities: [],
  sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
};

function templateDataFor(customerContext: CustomerContext): Record<string, unknown> {
  const customer = customerContext.customer;
  return { firstName: customer?.useFirstName ? customer.firstName : undefined };
}
