/**
 * The agent desk over the in-memory store and the in-process queue: what an agent (and the
 * customer on the other end) notices when chats are taken, transferred and written to.
 */
import path from 'node:path';
import type { Activity } from 'botbuilder';
import pino from 'pino';
import { ContentLibrary } from '../../content/content-library';
import { AttuneError } from '../../core/errors';
import { AgentDesk, type DeskAgent } from '../../escalation/agent-desk';
import { parseBusinessHours } from '../../escalation/business-hours';
import { mayReceive } from '../../escalation/desk-access';
import { BusDeskEvents } from '../../escalation/desk-events';
import { EscalationService } from '../../escalation/escalation-service';
import { InProcessAgentQueue } from '../../escalation/queue/in-process-agent-queue';
import { InProcessEventBus } from '../../events/in-process-event-bus';
import type { DeskEvent } from '../../events/topics';
import { createStore } from '../../storage/create-store';
import type { AttuneStore, TurnRecord } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';

const logger = pino({ level: 'silent' });
const weekdays = parseBusinessHours('09:00-17:00', 'Mon-Fri', 'Europe/London');
const timings = { slaMs: 10 * 60_000, abandonAfterMs: 30 * 60_000 };
const mondayNoon = new Date('2026-11-23T12:00:00Z');
const minutesLater = (minutes: number) => new Date(mondayNoon.getTime() + minutes * 60_000);

const ann: DeskAgent = { id: 'agent-ann', name: 'ann', pool: 'apprentice', role: 'agent' };
const eve: DeskAgent = { id: 'agent-eve', name: 'eve', pool: 'expert', role: 'agent' };

describe('AgentDesk', () => {
  let content: ContentLibrary;
  let store: AttuneStore;
  let queue: InProcessAgentQueue;
  let bus: InProcessEventBus;
  let service: EscalationService;
  let desk: AgentDesk;
  /** What the customer received, in order. */
  let delivered: Partial<Activity>[];
  /** Errors the customer's channel answers the next sends with, in order. */
  let refusals: Error[];
  /** Everything published to the desks. */
  let published: DeskEvent[];

  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    queue = new InProcessAgentQueue({ logger });
    bus = new InProcessEventBus(logger);
    published = [];
    await bus.subscribe('desk', (event) => published.push(event));
    const events = new BusDeskEvents(bus);
    service = new EscalationService(store.escalations, store.turns, queue, weekdays, timings, logger, undefined, events);
    delivered = [];
    refusals = [];
    const messenger = {
      send: async (_reference: Readonly<Record<string, unknown>>, activity: Partial<Activity>) => {
        const refusal = refusals.shift();
        if (refusal) throw refusal;
        delivered.push(activity);
      },
    };
    desk = new AgentDesk(store.escalations, store.turns, store.conversations, queue, timings, messenger, content, logger, events);
  });

  afterEach(async () => {
    await queue.close();
    await bus.close();
    await store.close();
  });

  async function escalate(conversationId: string, at: Date = mondayNoon): Promise<string> {
    const { escalation } = await service.escalate(
      {
        conversationId,
        channelId: 'webchat',
        trigger: 'human_request',
        reasons: [],
        frustration: 0.2,
        failedTurns: 0,
        conversationReference: { conversation: { id: conversationId } },
        history: [],
      },
      at,
    );
    return escalation.id;
  }

  /** The desk events `agent`'s stream lets through, once the bus has delivered what was published. */
  async function receivedBy(agent: DeskAgent): Promise<DeskEvent[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return published.filter((event) => mayReceive(agent, event));
  }

  describe('take', () => {
    /** The escalation of a conversation the bot had handed to people, as the bot leaves it. */
    async function waiting(conversationId: string): Promise<string> {
      await store.conversations.open({ id: conversationId, channelId: 'webchat', conversationId: conversationId.split(':')[1], status: 'queued', startedAt: mondayNoon, updatedAt: mondayNoon });
      return escalate(conversationId);
    }
    const joinedNotices = () => delivered.filter((activity) => (activity.channelData as { attune?: { template?: string } } | undefined)?.attune?.template === 'handoff.agentJoined');

    it('finishes a take whose first attempt failed after the claim when the same agent takes again', async () => {
      const id = await waiting('webchat:half-taken');
      jest.spyOn(store.conversations, 'transition').mockRejectedValueOnce(new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'MongoDB could not be reached'));
      await expectAttuneError(desk.take(ann, id, minutesLater(1)), 'ATTUNE_STORAGE_UNAVAILABLE');

      const retried = await desk.take(ann, id, minutesLater(2));
      expect(retried).toMatchObject({ status: 'assigned', agentId: ann.id, assignedAt: minutesLater(1) });
      expect(await queue.position(id)).toBeUndefined();
      expect(await desk.waiting(ann, minutesLater(2))).toEqual([]);
      expect((await store.conversations.get('webchat:half-taken'))?.status).toBe('with_agent');
      expect(joinedNotices()).toHaveLength(1);
      // Someone else still learns the chat is taken.
      await expectAttuneError(desk.take({ ...ann, id: 'agent-bob', name: 'bob' }, id, minutesLater(3)), 'ATTUNE_ESCALATION_STATE');
    });

    it('answers a repeat of a completed take with the chat, without telling the customer again', async () => {
      const id = await waiting('webchat:taken-twice');
      const taken = await desk.take(ann, id, minutesLater(1));
      expect(await desk.take(ann, id, minutesLater(2))).toStrictEqual(taken);
      expect(joinedNotices()).toHaveLength(1);
    });
  });

  describe('held', () => {
    it('lists the chats an agent holds, and a supervisor every chat in progress, so a reloaded desk finds them', async () => {
      const bob: DeskAgent = { id: 'agent-bob', name: 'bob', pool: 'apprentice', role: 'agent' };
      const supervisor: DeskAgent = { id: 'agent-sue', name: 'sue', pool: 'expert', role: 'supervisor' };
      const first = await escalate('webchat:held-1', mondayNoon);
      const second = await escalate('webchat:held-2', minutesLater(0.1));
      const bobs = await escalate('webchat:held-3', minutesLater(0.2));
      const stillWaiting = await escalate('webchat:held-4', minutesLater(0.3));
      await desk.take(ann, first, minutesLater(1));
      await desk.take(ann, second, minutesLater(2));
      await desk.take(bob, bobs, minutesLater(3));
      const resolved = await escalate('webchat:held-5');
      await desk.take(ann, resolved, minutesLater(4));
      await desk.resolve(ann, resolved, 'explained', minutesLater(5));

      const annHolds = await desk.held(ann, minutesLater(6));
      expect(annHolds.map((chat) => chat.id)).toEqual([first, second]);
      expect(annHolds[0]).toMatchObject({ pool: 'apprentice', agentId: ann.id, heldSeconds: 300 });
      expect((await desk.held(bob)).map((chat) => chat.id)).toEqual([bobs]);
      expect((await desk.held(supervisor)).map((chat) => chat.id)).toEqual([first, second, bobs]);
      expect((await desk.held(supervisor)).map((chat) => chat.id)).not.toContain(stillWaiting);
    });
  });

  describe('live transcript', () => {
    it("tells the agent what was masked in the customer's message (counts, never the digits)", async () => {
      const id = await escalate('webchat:masked');
      await desk.take(ann, id, minutesLater(1));
      const said: TurnRecord = { id: 'turn-masked', conversationId: 'webchat:masked', role: 'customer', text: 'it is **** **** **** 6467 cvv ***', at: minutesLater(2), masked: { cardNumbers: 1, securityCodes: 1 } };
      await new BusDeskEvents(bus).transcriptAdded((await store.escalations.get(id))!, [said]);
      const line = (await receivedBy(ann)).find((event) => event.type === 'transcript_added');
      expect(line).toMatchObject({ turn: { role: 'customer', text: 'it is **** **** **** 6467 cvv ***', masked: { cardNumbers: 1, securityCodes: 1 } } });
    });
  });

  describe('transfer', () => {
    it('leaves the chat to nobody: the agent who passed it on no longer reads it or gets its messages', async () => {
      const id = await escalate('webchat:move');
      await desk.take(ann, id, minutesLater(1));
      const moved = await desk.transfer(ann, id, 'expert', minutesLater(3));
      expect(moved).toMatchObject({ status: 'queued', pool: 'expert' });
      expect(moved).not.toHaveProperty('agentId');
      expect(moved).not.toHaveProperty('assignedAt');

      await expectAttuneError(desk.open(ann, id), 'ATTUNE_ESCALATION_NOT_FOUND');
      expect((await desk.open(eve, id)).escalation.id).toBe(id);

      // The customer writes while the chat waits for an expert; the bot publishes it for the desks.
      const said: TurnRecord = { id: 'turn-wait', conversationId: 'webchat:move', role: 'customer', text: 'my new address is 4 Elm Road', at: minutesLater(4) };
      await store.turns.append([said]);
      await new BusDeskEvents(bus).transcriptAdded((await store.escalations.get(id))!, [said]);
      const lines = (events: DeskEvent[]) => events.filter((event) => event.type === 'transcript_added').map((event) => event.turn.text);
      expect(lines(await receivedBy(ann))).not.toContain('my new address is 4 Elm Road');
      expect(lines(await receivedBy(eve))).toContain('my new address is 4 Elm Road');

      const retaken = await desk.take(eve, id, minutesLater(5));
      expect(retaken).toMatchObject({ status: 'assigned', agentId: eve.id, assignedAt: minutesLater(5) });
    });

    it('puts the chat under its SLA again, unless it has breached it already', async () => {
      const schedule = jest.spyOn(queue, 'schedule');
      const onTime = await escalate('webchat:on-time');
      await desk.take(ann, onTime, minutesLater(1));
      schedule.mockClear();
      await desk.transfer(ann, onTime, 'expert', minutesLater(3));
      expect(schedule).toHaveBeenCalledWith('sla', onTime, minutesLater(timings.slaMs / 60_000).getTime());

      // Waited past its SLA before anyone took it: it moved up then, and moves up no further.
      const late = await escalate('webchat:late');
      await service.onTimer({ kind: 'sla', escalationId: late, dueAt: minutesLater(10).getTime() }, minutesLater(10));
      await desk.take(ann, late, minutesLater(11));
      schedule.mockClear();
      await desk.transfer(ann, late, 'expert', minutesLater(12));
      expect(schedule).not.toHaveBeenCalledWith('sla', late, expect.any(Number));
      expect(await queue.waiting('expert')).toContainEqual(expect.objectContaining({ escalationId: late }));
    });
  });
  describe('sendMessage', () => {
    /** The escalation, taken by ann; what the customer got so far is forgotten. */
    async function takenByAnn(conversationId: string): Promise<string> {
      const id = await escalate(conversationId);
      await desk.take(ann, id, minutesLater(1));
      delivered.length = 0;
      return id;
    }
    const textsDelivered = () => delivered.map((activity) => activity.text);
    const transcriptOf = async (id: string) => (await desk.open(ann, id)).transcript.map((turn) => `${turn.role}: ${turn.text}`);

    it('records the message before sending it: a failed write sends nothing, and the retry sends it once', async () => {
      const id = await takenByAnn('webchat:write-fails');
      jest.spyOn(store.turns, 'append').mockRejectedValueOnce(new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'MongoDB could not be reached'));
      await expectAttuneError(desk.sendMessage(ann, id, { text: 'Your refund is on its way.' }, minutesLater(2)), 'ATTUNE_STORAGE_UNAVAILABLE');
      expect(textsDelivered()).toEqual([]);

      await desk.sendMessage(ann, id, { text: 'Your refund is on its way.' }, minutesLater(3));
      expect(textsDelivered()).toEqual(['Your refund is on its way.']);
      expect(await transcriptOf(id)).toEqual(['agent: Your refund is on its way.']);
    });

    it('sends a message id the desk repeats only once, and answers the repeat with the recorded turn', async () => {
      const id = await takenByAnn('webchat:repeat');
      const message = { text: 'I have ordered a new card.', clientMessageId: 'desk-msg-0001' };
      const first = await desk.sendMessage(ann, id, message, minutesLater(2));
      // The desk got no answer (the connection dropped) and sends the same message again.
      const again = await desk.sendMessage(ann, id, message, minutesLater(3));
      expect(again).toStrictEqual(first);
      expect(textsDelivered()).toEqual(['I have ordered a new card.']);
      expect(await transcriptOf(id)).toEqual(['agent: I have ordered a new card.']);
      // The same id for other words is a client bug: refused, nothing sent.
      await expectAttuneError(desk.sendMessage(ann, id, { text: 'something else', clientMessageId: 'desk-msg-0001' }), 'ATTUNE_STORAGE_CONFLICT');
      expect(textsDelivered()).toEqual(['I have ordered a new card.']);
    });

    it('keeps a message the channel refused in the transcript, marked not delivered; its repeat is not sent', async () => {
      const id = await takenByAnn('webchat:gone');
      refusals.push(new AttuneError('ATTUNE_CONVERSATION_NOT_FOUND', 'The customer left.'));
      const message = { text: 'Are you still there?', clientMessageId: 'desk-msg-0002' };
      await expectAttuneError(desk.sendMessage(ann, id, message, minutesLater(2)), 'ATTUNE_CONVERSATION_NOT_FOUND');
      expect(await transcriptOf(id)).toEqual(['agent: Are you still there?', 'note: Not delivered to the customer: Are you still there?']);
      const live = (await receivedBy(ann)).filter((event) => event.type === 'transcript_added').map((event) => event.turn.text);
      expect(live).toEqual(['Are you still there?', 'Not delivered to the customer: Are you still there?']);

      await expectAttuneError(desk.sendMessage(ann, id, message, minutesLater(3)), 'ATTUNE_MESSAGE_NOT_DELIVERED');
      expect(textsDelivered()).toEqual([]);
      // Sent again as a new message, it goes out.
      await desk.sendMessage(ann, id, { text: 'Are you still there?', clientMessageId: 'desk-msg-0003' }, minutesLater(4));
      expect(textsDelivered()).toEqual(['Are you still there?']);
    });
  });
});
