import pino from 'pino';
import { parseBusinessHours } from '../../escalation/business-hours';
import { NO_DESK_EVENTS, type DeskEvents } from '../../escalation/desk-events';
import { EscalationService, type EscalationRequest } from '../../escalation/escalation-service';
import { InProcessAgentQueue } from '../../escalation/queue/in-process-agent-queue';
import { createStore } from '../../storage/create-store';
import type { AttuneStore, Escalations, TurnRecord } from '../../storage/ports';

const logger = pino({ level: 'silent' });
const weekdays = parseBusinessHours('09:00-17:00', 'Mon-Fri', 'Europe/London');
const timings = { slaMs: 10 * 60_000, abandonAfterMs: 30 * 60_000 };
const mondayNoon = new Date('2026-11-23T12:00:00Z');
const saturday = new Date('2026-11-28T12:00:00Z');

function customerTurn(conversationId: string, text: string, intent: string, at: Date): TurnRecord {
  return {
    id: `${conversationId}-${text}`,
    conversationId,
    role: 'customer',
    text,
    at,
    understanding: { intent: { intent, confidence: 0.9, alternatives: [] }, entities: [], sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } },
  };
}

function request(conversationId: string, at: Date, overrides: Partial<EscalationRequest> = {}): EscalationRequest {
  return {
    conversationId,
    channelId: 'webchat',
    trigger: 'human_request',
    reasons: [{ name: 'asked_for_person', weight: 0.2 }],
    frustration: 0.2,
    failedTurns: 0,
    conversationReference: { conversation: { id: conversationId } },
    history: [customerTurn(conversationId, 'my card has not arrived', 'card_arrival', at)],
    ...overrides,
  };
}

describe('EscalationService', () => {
  let store: AttuneStore;
  let queue: InProcessAgentQueue;
  let service: EscalationService;

  beforeEach(async () => {
    store = await createStore({ kind: 'memory' });
    queue = new InProcessAgentQueue({ logger });
    service = new EscalationService(store.escalations, store.turns, queue, weekdays, timings, logger);
  });

  afterEach(async () => {
    await queue.close();
    await store.close();
  });

  it('stores, routes and queues an escalation, and asking twice returns the same one', async () => {
    const first = await service.escalate(request('webchat:a', mondayNoon), mondayNoon);
    const again = await service.escalate(request('webchat:a', mondayNoon), mondayNoon);
    expect(again.escalation.id).toBe(first.escalation.id);
    expect(first.escalation).toMatchObject({ status: 'queued', pool: 'apprentice', afterHours: false });
    expect(first.position).toEqual({ position: 1, waiting: 1 });
    expect(first.estimate).toEqual({ minutes: 6, measured: false });
    expect(await store.escalations.get(first.escalation.id)).toMatchObject({ handoff: { intents: [{ intent: 'card_arrival', confidence: 0.9 }] } });
  });

  it('orders waiting customers by priority and estimates from recent handle times', async () => {
    await service.escalate(request('webchat:a', mondayNoon), mondayNoon);
    const urgent = await service.escalate(request('webchat:b', mondayNoon, { frustration: 0.8, trigger: 'frustration' }), mondayNoon);
    expect(urgent.position?.position).toBe(1);
    const later = await service.waitingStatus('webchat:a', mondayNoon);
    expect(later?.position).toEqual({ position: 2, waiting: 2 });

    const handled = await service.escalate(request('webchat:z', mondayNoon), mondayNoon);
    const assignedAt = new Date(mondayNoon.getTime() + 60_000);
    await store.escalations.transition(handled.escalation.id, ['queued'], 'assigned', { agentId: 'a1', assignedAt }, assignedAt);
    await store.escalations.transition(handled.escalation.id, ['assigned'], 'resolved', { endedAt: new Date(assignedAt.getTime() + 10 * 60_000) }, assignedAt);
    expect((await service.waitingStatus('webchat:a', mondayNoon))?.estimate).toEqual({ minutes: 20, measured: true });
  });

  it('outside business hours queues the request for the next shift and says when that is', async () => {
    const status = await service.escalate(request('webchat:c', saturday), saturday);
    expect(status.escalation.afterHours).toBe(true);
    expect(status.opensAt?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    await service.recordContactChoice(status.escalation, 'callback', saturday);
    expect(await store.escalations.get(status.escalation.id)).toMatchObject({ status: 'queued', disposition: 'callback_requested' });
  });

  it('never abandons an after-hours request by the clock, though the customer spoke to choose a callback', async () => {
    const { escalation } = await service.escalate(request('webchat:night', saturday), saturday);
    const schedule = jest.spyOn(queue, 'schedule');
    // The bot hears the "Call me back" tap as the customer being active, then records the choice.
    await store.turns.append([customerTurn('webchat:night', 'call me back', 'oos', saturday)]);
    await service.customerActive(escalation, saturday);
    await service.recordContactChoice(escalation, 'callback', saturday);
    expect(schedule).not.toHaveBeenCalledWith('abandon', escalation.id, expect.any(Number));

    // A timer armed by an older version is due during the night: the request still waits for Monday.
    const night = new Date(saturday.getTime() + timings.abandonAfterMs + 60_000);
    await service.onTimer({ kind: 'abandon', escalationId: escalation.id, dueAt: night.getTime() }, night);
    expect(await store.escalations.get(escalation.id)).toMatchObject({ status: 'queued', disposition: 'callback_requested' });
    expect(await queue.position(escalation.id)).toEqual({ position: 1, waiting: 1 });

    // Taken on Monday and then a restart: reconcile arms no abandonment clock for it either.
    await store.escalations.transition(escalation.id, ['queued'], 'assigned', { agentId: 'agent-1', assignedAt: mondayNoon }, mondayNoon);
    await service.reconcile(mondayNoon);
    expect(schedule).not.toHaveBeenCalledWith('abandon', escalation.id, expect.any(Number));
  });

  it('lets the customer cancel while queued, but not once an agent has the chat', async () => {
    const { escalation } = await service.escalate(request('webchat:d', mondayNoon), mondayNoon);
    expect(await service.cancelByCustomer('webchat:d', mondayNoon)).toBe(true);
    expect(await queue.position(escalation.id)).toBeUndefined();
    const other = await service.escalate(request('webchat:e', mondayNoon), mondayNoon);
    await store.escalations.transition(other.escalation.id, ['queued'], 'assigned', { agentId: 'agent-1', assignedAt: mondayNoon }, mondayNoon);
    expect(await service.cancelByCustomer('webchat:e', mondayNoon)).toBe(false);
  });

  it('abandons a chat whose customer went silent, and not one who is still talking', async () => {
    const silent = await service.escalate(request('webchat:f', mondayNoon), mondayNoon);
    const due = new Date(mondayNoon.getTime() + timings.abandonAfterMs);
    await service.onTimer({ kind: 'abandon', escalationId: silent.escalation.id, dueAt: due.getTime() }, due);
    expect((await store.escalations.get(silent.escalation.id))?.status).toBe('abandoned');

    const talking = await service.escalate(request('webchat:g', mondayNoon), mondayNoon);
    await store.turns.append([customerTurn('webchat:g', 'still there?', 'oos', new Date(due.getTime() - 60_000))]);
    await service.onTimer({ kind: 'abandon', escalationId: talking.escalation.id, dueAt: due.getTime() }, due);
    expect((await store.escalations.get(talking.escalation.id))?.status).toBe('queued');
  });

  it('moves a chat up when it waits past its SLA', async () => {
    const { escalation } = await service.escalate(request('webchat:h', mondayNoon), mondayNoon);
    const due = new Date(mondayNoon.getTime() + timings.slaMs);
    await service.onTimer({ kind: 'sla', escalationId: escalation.id, dueAt: due.getTime() }, due);
    const raised = await store.escalations.get(escalation.id);
    expect(raised!.priority).toBeGreaterThan(escalation.priority);
    expect((await queue.waiting('apprentice'))[0]?.priority).toBe(raised!.priority);
  });

  it('moves a chat up once, however often its SLA timer is delivered again or re-armed', async () => {
    const { escalation } = await service.escalate(request('webchat:late', mondayNoon), mondayNoon);
    const due = new Date(mondayNoon.getTime() + timings.slaMs);
    const sla = { kind: 'sla', escalationId: escalation.id, dueAt: due.getTime() } as const;
    await service.onTimer(sla, due);
    const raised = (await store.escalations.get(escalation.id))!;
    expect(raised.priority).toBeGreaterThan(escalation.priority);

    // A rolling deploy of three instances: each reconciles at start, and none re-arms the SLA timer.
    const schedule = jest.spyOn(queue, 'schedule');
    for (let instance = 0; instance < 3; instance += 1) await service.reconcile(due);
    expect(schedule).not.toHaveBeenCalledWith('sla', escalation.id, expect.any(Number));
    // A timer delivered again (at least once delivery) changes nothing either.
    await service.onTimer(sla, new Date(due.getTime() + 60_000));
    expect((await store.escalations.get(escalation.id))?.priority).toBe(raised.priority);
    expect(await queue.waiting('apprentice')).toEqual([expect.objectContaining({ escalationId: escalation.id, priority: raised.priority })]);
  });

  describe('when an agent takes the chat while its SLA timer is being handled', () => {
    const due = new Date(mondayNoon.getTime() + timings.slaMs);

    /** What AgentDesk.take does to the store and the queue. */
    async function takeByAgent(escalationId: string): Promise<void> {
      await store.escalations.transition(escalationId, ['queued'], 'assigned', { agentId: 'agent-1', assignedAt: due }, due);
      await queue.remove(escalationId);
    }

    async function expectTakenAndOutOfTheQueue(escalationId: string, otherId: string): Promise<void> {
      expect((await store.escalations.get(escalationId))?.status).toBe('assigned');
      expect(await queue.position(escalationId)).toBeUndefined();
      // The customer still waiting is next, not second behind a chat nobody will take again.
      expect(await queue.position(otherId)).toEqual({ position: 1, waiting: 1 });
    }

    it('leaves the chat out of the queue when the take came after the timer read it', async () => {
      const { escalation } = await service.escalate(request('webchat:race', mondayNoon), mondayNoon);
      const other = await service.escalate(request('webchat:other', mondayNoon), mondayNoon);
      const read = store.escalations.get.bind(store.escalations);
      jest.spyOn(store.escalations, 'get').mockImplementationOnce(async (id) => {
        const queued = await read(id);
        await takeByAgent(id);
        return queued;
      });
      await service.onTimer({ kind: 'sla', escalationId: escalation.id, dueAt: due.getTime() }, due);
      await expectTakenAndOutOfTheQueue(escalation.id, other.escalation.id);
      expect((await store.escalations.get(escalation.id))?.priority).toBe(escalation.priority);
    });

    it('leaves the chat out of the queue when the take came while the timer re-queued it', async () => {
      const { escalation } = await service.escalate(request('webchat:race', mondayNoon), mondayNoon);
      const other = await service.escalate(request('webchat:other', mondayNoon), mondayNoon);
      const remove = queue.remove.bind(queue);
      jest.spyOn(queue, 'remove').mockImplementationOnce(async (id) => {
        await takeByAgent(id);
        return remove(id);
      });
      await service.onTimer({ kind: 'sla', escalationId: escalation.id, dueAt: due.getTime() }, due);
      await expectTakenAndOutOfTheQueue(escalation.id, other.escalation.id);
    });
  });

  describe('when the agent queue does not answer (Redis away)', () => {
    /** Holds every queue operation until released, as a client waiting for Redis to come back does. */
    function stallQueue(): () => void {
      let release!: () => void;
      const back = new Promise<void>((resolve) => (release = resolve));
      const operations = queue as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const method of ['enqueue', 'schedule', 'position', 'remove', 'cancelTimer']) {
        const original = operations[method]!.bind(queue);
        jest.spyOn(operations, method).mockImplementation(async (...args: unknown[]) => {
          await back;
          return original(...args);
        });
      }
      return release;
    }

    it("does not hold the customer's turn: the request is stored, says the queue is delayed, and is queued once the queue answers", async () => {
      service = new EscalationService(store.escalations, store.turns, queue, weekdays, timings, logger, undefined, undefined, 50);
      const release = stallQueue();
      const status = await service.escalate(request('webchat:q', mondayNoon), mondayNoon);
      expect(status).toMatchObject({ queueDelayed: true, escalation: { status: 'queued' } });
      expect(status.position).toBeUndefined();
      expect((await store.escalations.activeForConversation('webchat:q'))?.id).toBe(status.escalation.id);
      // Later turns while it is still away: the status says so instead of waiting.
      await expect(service.waitingStatus('webchat:q', mondayNoon)).resolves.toMatchObject({ queueDelayed: true });
      await service.customerActive(status.escalation, mondayNoon);

      release();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await queue.position(status.escalation.id)).toEqual({ position: 1, waiting: 1 });
      await expect(service.waitingStatus('webchat:q', mondayNoon)).resolves.toMatchObject({ position: { position: 1 } });
    });
  });

  describe('two instances, one store: two turns of one conversation escalate at once', () => {
    /** The store as both instances see it, holding each check for an active escalation until both have made it. */
    function bothCheckBeforeEitherStores(escalations: Escalations): Escalations {
      let checked = 0;
      let release!: () => void;
      const bothChecked = new Promise<void>((resolve) => (release = resolve));
      return Object.assign(Object.create(escalations) as Escalations, {
        activeForConversation: async (conversationId: string) => {
          const found = await escalations.activeForConversation(conversationId);
          checked += 1;
          if (checked === 2) release();
          await bothChecked;
          return found;
        },
      });
    }

    it('opens one escalation: both turns get it, the queue and the desks see one chat', async () => {
      const shared = bothCheckBeforeEitherStores(store.escalations);
      const queued: string[] = [];
      const desks: DeskEvents = {
        ...NO_DESK_EVENTS,
        escalationChanged: async (escalation, change) => {
          if (change === 'queued') queued.push(escalation.id);
        },
      };
      const one = new EscalationService(shared, store.turns, queue, weekdays, timings, logger, undefined, desks);
      const two = new EscalationService(shared, store.turns, queue, weekdays, timings, logger, undefined, desks);
      const enqueue = jest.spyOn(queue, 'enqueue');

      const [onOne, onTwo] = await Promise.all([one.escalate(request('webchat:twice', mondayNoon), mondayNoon), two.escalate(request('webchat:twice', mondayNoon), mondayNoon)]);

      expect(onTwo.escalation.id).toBe(onOne.escalation.id);
      const active = await store.escalations.list({ statuses: ['queued', 'assigned'], conversationId: 'webchat:twice' }, 10);
      expect(active.map((escalation) => escalation.id)).toEqual([onOne.escalation.id]);
      expect(enqueue).toHaveBeenCalledTimes(1);
      expect(queued).toEqual([onOne.escalation.id]);
      expect(await queue.position(onOne.escalation.id)).toEqual({ position: 1, waiting: 1 });
      // Either instance tells the customer the same place on their next turn.
      await expect(one.waitingStatus('webchat:twice', mondayNoon)).resolves.toMatchObject({ position: { position: 1, waiting: 1 } });
      await expect(two.waitingStatus('webchat:twice', mondayNoon)).resolves.toMatchObject({ position: { position: 1, waiting: 1 } });
    });
  });

  it('rebuilds the queue from the store after a restart', async () => {
    const { escalation } = await service.escalate(request('webchat:i', mondayNoon), mondayNoon);
    await queue.close();
    queue = new InProcessAgentQueue({ logger });
    service = new EscalationService(store.escalations, store.turns, queue, weekdays, timings, logger);
    expect(await queue.position(escalation.id)).toBeUndefined();
    expect(await service.reconcile(mondayNoon)).toBe(1);
    expect((await queue.takeNext(['apprentice']))?.escalationId).toBe(escalation.id);
  });
});
