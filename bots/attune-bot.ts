/**
 * The ActivityHandler: runs every customer message through the turn pipeline
 * (Context → Intent → Perceive → Decide → Act → Record, DESIGN.md §1) and greets new customers.
 * State is read once at the start of a turn and written once at the end.
 */
import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { DialogSet, DialogState } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { createTaskDialogs } from '../dialogs/task-catalog';
import { setTurnInsight } from '../dialogs/turn-insight';
import type { BusinessHours } from '../escalation/business-hours';
import type { EscalationSettings } from '../escalation/escalation-policy';
import type { EscalationService } from '../escalation/escalation-service';
import { FrustrationMeter } from '../escalation/frustration-meter';
import type { Logger } from '../core/logger';
import type { OpenAiIntentRefiner } from '../nlu/llm';
import type { Recognizer } from '../nlu/recognizer';
import type { Understanding } from '../nlu/types';
import { CustomerContextReader, type CustomerContext } from '../personalization/customer-context';
import type { AttuneStore } from '../storage/ports';
import { TurnActions } from './act';
import { freshMemory, type ConversationMemory } from './conversation-memory';
import { decide } from './decide';
import { TurnRecorder, type TurnRecording } from './turn-recorder';

export interface AttuneBotDependencies {
  readonly conversationState: ConversationState;
  readonly store: AttuneStore;
  readonly recognizer: Recognizer;
  readonly content: ContentLibrary;
  readonly escalation: EscalationSettings;
  readonly escalations: EscalationService;
  readonly businessHours: BusinessHours;
  readonly defaultLocale: string;
  readonly logger: Logger;
  readonly frustrationMeter?: FrustrationMeter;
  /** Optional LLM, consulted only when the local intent model is unsure (bounded by a timeout). */
  readonly intentRefiner?: OpenAiIntentRefiner;
}

const RECORDING_KEY = Symbol('attune.turnRecording');
const CANCEL_WAIT = /\b(cancel|never ?mind|forget it|no longer need)\b/i;

export class AttuneBot extends ActivityHandler {
  private readonly memory: StatePropertyAccessor<ConversationMemory>;
  private readonly dialogs: DialogSet;
  private readonly contextReader: CustomerContextReader;
  private readonly recorder: TurnRecorder;
  private readonly actions: TurnActions;
  private readonly meter: FrustrationMeter;

  constructor(private readonly deps: AttuneBotDependencies) {
    super();
    if (!deps.conversationState) throw new Error('[AttuneBot]: Missing parameter. conversationState is required');
    if (!deps.store) throw new Error('[AttuneBot]: Missing parameter. store is required');
    if (!deps.recognizer) throw new Error('[AttuneBot]: Missing parameter. recognizer is required');
    if (!deps.content) throw new Error('[AttuneBot]: Missing parameter. content is required');
    this.memory = deps.conversationState.createProperty<ConversationMemory>('attune');
    this.dialogs = createTaskDialogs(deps.conversationState.createProperty<DialogState>('dialogState'), deps.content);
    this.contextReader = new CustomerContextReader(deps.store.customers, deps.defaultLocale);
    this.recorder = new TurnRecorder(deps.store.turns);
    this.actions = new TurnActions({
      content: deps.content,
      conversations: deps.store.conversations,
      turns: deps.store.turns,
      escalations: deps.escalations,
      businessHours: deps.businessHours,
    });
    this.meter = deps.frustrationMeter ?? new FrustrationMeter();

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
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const memory = await this.memory.get(context, freshMemory());
    const customerContext = await this.contextReader.read(context.activity, memory.lookup);
    const recording = this.recorder.begin(context, customerContext.conversationKey, customerContext.customer?.id);
    context.turnState.set(RECORDING_KEY, recording);
    await this.openConversation(context, customerContext, memory);

    const text = context.activity.text ?? '';
    // While people have the chat, the message is for them: no network call to refine its intent.
    const understanding = await this.understand(text, memory.responder === 'bot');
    const dialogContext = await this.dialogs.createContext(context);
    const taskInProgress = dialogContext.activeDialog !== undefined && memory.responder === 'bot';
    const { state, perception } = this.meter.perceive(memory.frustration, { text, understanding, at: Date.now(), answeringPrompt: taskInProgress });
    memory.frustration = state;
    const decision = decide({ text, understanding, perception, taskInProgress, personOffered: memory.personOffered }, this.deps.escalation);
    setTurnInsight(context, {
      tone: decision.tone,
      locale: customerContext.locale,
      channel: customerContext.channel,
      understanding,
      templateData: templateDataFor(customerContext),
    });
    recording.customerSaid(text, {
      understanding,
      frustration: { score: perception.score, reasons: perception.reasons },
      decision: { action: decision.action.kind, tone: decision.tone, reasons: decision.reasons },
    });

    const act = { context, dialogs: dialogContext, decision, perception, memory, conversationKey: customerContext.conversationKey, customer: customerContext.customer, recording };
    const handledWhileQueued = memory.responder === 'queued' && (await this.actions.whileQueued(act, CANCEL_WAIT.test(text)));
    if (!handledWhileQueued) await this.actions.act(act);
    this.deps.logger.debug({ conversation: customerContext.conversationKey, intent: understanding.intent.intent, action: decision.action.kind, tone: decision.tone, frustration: perception.score }, 'turn');
  }

  /** Local NLU; the LLM only when configured and the local model is unsure, never slower than its timeout. */
  private async understand(text: string, mayConsultLlm: boolean): Promise<Understanding> {
    const local = this.deps.recognizer.understand(text);
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
    await context.sendActivity(
      this.deps.content.render({ template: 'welcome', tone: 'neutral', locale: customerContext.locale, channel: customerContext.channel, data: templateDataFor(customerContext) }),
    );
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

function templateDataFor(customerContext: CustomerContext): Record<string, unknown> {
  const customer = customerContext.customer;
  return { firstName: customer?.useFirstName ? customer.firstName : undefined };
}
