import type { AgentQueue, DueTimer, TimerHandler, WaitingChat } from '../../escalation/queue/agent-queue';
import { MAX_CHAT_PRIORITY } from '../../escalation/queue/queue-input';
import type { AgentPool } from '../../storage/ports';
import { FAST_TIMER_RETRY, describeOnEveryQueueAdapter, describeOnRedis, type QueueLane } from '../support/queue-lanes';

// The per-project testTimeout in jest.config.js does not apply (jest reads it globally only).
jest.setTimeout(20_000);

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);

function aChat(escalationId: string, overrides: Partial<WaitingChat> = {}): WaitingChat {
  return { escalationId, pool: 'apprentice', priority: 10, enqueuedAt: T0, ...overrides };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sleepUntil = (at: number): Promise<void> => sleep(Math.max(0, at - Date.now()));

/**
 * Timers in these tests fall due this far ahead: enough for the calls that must come first (a
 * reschedule, a cancel, a close) to finish even on a loaded CI machine.
 */
const LEAD_MS = 600;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface Delivery extends DueTimer {
  readonly deliveredAt: number;
}

/** Registers a handler that records every delivery (then runs `then`, which may throw). */
function recordTimers(queue: AgentQueue, then?: (timer: DueTimer, count: number) => Promise<void>): Delivery[] {
  const deliveries: Delivery[] = [];
  const handler: TimerHandler = async (timer) => {
    deliveries.push({ ...timer, deliveredAt: Date.now() });
    await then?.(timer, deliveries.length);
  };
  queue.onTimer(handler);
  return deliveries;
}

async function ids(queue: AgentQueue, pool: AgentPool, limit?: number): Promise<string[]> {
  return (await queue.waiting(pool, limit)).map((chat) => chat.escalationId);
}

async function takeAll(queue: AgentQueue, pools: readonly AgentPool[]): Promise<string[]> {
  const taken: string[] = [];
  for (let chat = await queue.takeNext(pools); chat !== undefined; chat = await queue.takeNext(pools)) taken.push(chat.escalationId);
  return taken;
}

function agentQueueContract(lane: QueueLane): void {
  let queue: AgentQueue;
  beforeEach(async () => {
    queue = await lane.newQueue();
  });

  describe('chats', () => {
    it('lists an enqueued chat exactly as it was given', async () => {
      const chat = aChat('esc-1', { pool: 'expert', priority: 42, enqueuedAt: T0 + 5 });
      await queue.enqueue(chat);
      expect(await queue.waiting('expert')).toEqual([chat]);
      expect(await queue.position('esc-1')).toEqual({ position: 1, waiting: 1 });
    });

    it('adds a chat once however often it is enqueued: the first enqueue wins, in any pool', async () => {
      const first = aChat('esc-1', { priority: 10 });
      await queue.enqueue(first);
      await queue.enqueue(aChat('esc-1', { priority: 99, enqueuedAt: T0 + 1 }));
      await queue.enqueue(aChat('esc-1', { pool: 'expert', priority: 99 }));
      await queue.enqueue(aChat('esc-2', { priority: 20 }));

      expect(await queue.waiting('apprentice')).toEqual([aChat('esc-2', { priority: 20 }), first]);
      expect(await queue.waiting('expert')).toEqual([]);
      expect(await takeAll(queue, ['expert', 'apprentice'])).toEqual(['esc-2', 'esc-1']);
    });

    it('serves higher priority first, and equal priorities first come, first served', async () => {
      const enqueued: [string, number][] = [
        ['low-1', 10],
        ['high-1', 30],
        ['low-2', 10],
        ['lowest', 0],
        ['high-2', 30],
        ['middle', 20],
        ['top', MAX_CHAT_PRIORITY],
        ['low-3', 10],
      ];
      for (const [index, [id, priority]] of enqueued.entries()) await queue.enqueue(aChat(id, { priority, enqueuedAt: T0 + index }));

      const order = ['top', 'high-1', 'high-2', 'middle', 'low-1', 'low-2', 'low-3', 'lowest'];
      expect(await ids(queue, 'apprentice')).toEqual(order);
      expect(await takeAll(queue, ['apprentice'])).toEqual(order);
    });

    it('serves equal priorities oldest first, also a chat re-queued later with its original time', async () => {
      const enqueued: [string, number, number][] = [
        ['b-at-20', 10, 20],
        ['c-at-30', 10, 30],
        ['urgent-at-40', 50, 40],
        ['a-at-10', 10, 10], // e.g. re-queued with its original time after an SLA boost
        ['d-at-30', 10, 30], // same time as c: served in the order they were enqueued
        ['e-at-25', 10, 25],
        ['f-at-99', 10, 99],
      ];
      for (const [id, priority, at] of enqueued) await queue.enqueue(aChat(id, { priority, enqueuedAt: T0 + at }));

      const order = ['urgent-at-40', 'a-at-10', 'b-at-20', 'e-at-25', 'c-at-30', 'd-at-30', 'f-at-99'];
      expect(await ids(queue, 'apprentice')).toEqual(order);
      await queue.enqueue(aChat('f-at-99', { priority: 10, enqueuedAt: T0 })); // already waiting: changes nothing
      expect(await ids(queue, 'apprentice')).toEqual(order);
      expect(await queue.position('c-at-30')).toEqual({ position: 5, waiting: 7 });
      expect(await takeAll(queue, ['apprentice'])).toEqual(order);
    });

    it('keeps the pools apart', async () => {
      await queue.enqueue(aChat('a-1', { pool: 'apprentice' }));
      await queue.enqueue(aChat('a-2', { pool: 'apprentice' }));
      await queue.enqueue(aChat('e-1', { pool: 'expert' }));

      expect(await ids(queue, 'apprentice')).toEqual(['a-1', 'a-2']);
      expect(await ids(queue, 'expert')).toEqual(['e-1']);
      expect(await queue.position('a-2')).toEqual({ position: 2, waiting: 2 });
      expect(await queue.position('e-1')).toEqual({ position: 1, waiting: 1 });
      expect((await queue.takeNext(['expert']))?.escalationId).toBe('e-1');
      expect(await queue.takeNext(['expert'])).toBeUndefined();
      expect(await ids(queue, 'apprentice')).toEqual(['a-1', 'a-2']);
    });

    it('takes from the first of the given pools that has a chat, whatever the priorities', async () => {
      await queue.enqueue(aChat('apprentice-urgent', { pool: 'apprentice', priority: 90 }));
      await queue.enqueue(aChat('expert-calm', { pool: 'expert', priority: 5 }));
      await queue.enqueue(aChat('apprentice-calm', { pool: 'apprentice', priority: 5 }));

      expect((await queue.takeNext(['expert', 'apprentice']))?.escalationId).toBe('expert-calm');
      expect((await queue.takeNext(['expert', 'apprentice']))?.escalationId).toBe('apprentice-urgent');
      expect((await queue.takeNext(['apprentice', 'expert']))?.escalationId).toBe('apprentice-calm');
    });

    it('takes nothing when nothing waits in the given pools, or no pool is given', async () => {
      expect(await queue.takeNext(['apprentice', 'expert'])).toBeUndefined();
      await queue.enqueue(aChat('esc-1'));
      expect(await queue.takeNext([])).toBeUndefined();
      expect(await queue.takeNext(['expert'])).toBeUndefined();
      expect(await ids(queue, 'apprentice')).toEqual(['esc-1']);
    });

    it('hands out a taken chat once, forgets it, and accepts it again later', async () => {
      await queue.enqueue(aChat('esc-1'));
      expect(await queue.takeNext(['apprentice'])).toEqual(aChat('esc-1'));

      expect(await queue.takeNext(['apprentice'])).toBeUndefined();
      expect(await queue.waiting('apprentice')).toEqual([]);
      expect(await queue.position('esc-1')).toBeUndefined();
      expect(await queue.remove('esc-1')).toBe(false);

      // e.g. the agent handed it back: the same escalation waits again.
      await queue.enqueue(aChat('esc-1', { enqueuedAt: T0 + 60_000 }));
      expect(await queue.waiting('apprentice')).toEqual([aChat('esc-1', { enqueuedAt: T0 + 60_000 })]);
    });

    it('hands each chat to exactly one of many concurrent takers', async () => {
      // On Redis the takers are split over two queue instances: two processes racing.
      const other = lane.shared ? await lane.newQueue() : queue;
      for (const id of ['esc-1', 'esc-2', 'esc-3']) await queue.enqueue(aChat(id));

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? queue : other).takeNext(['expert', 'apprentice'])),
      );
      const taken = results.filter((chat) => chat !== undefined).map((chat) => chat.escalationId);
      expect(taken.sort()).toEqual(['esc-1', 'esc-2', 'esc-3']);
      expect(await queue.waiting('apprentice')).toEqual([]);
    });

    it('removes a waiting chat once, and only a waiting one', async () => {
      for (const id of ['esc-1', 'esc-2', 'esc-3']) await queue.enqueue(aChat(id));

      expect(await queue.remove('esc-2')).toBe(true);
      expect(await queue.remove('esc-2')).toBe(false);
      expect(await queue.remove('never-enqueued')).toBe(false);
      expect(await ids(queue, 'apprentice')).toEqual(['esc-1', 'esc-3']);
      expect(await queue.position('esc-2')).toBeUndefined();
      expect(await queue.position('esc-3')).toEqual({ position: 2, waiting: 2 });
      expect(await takeAll(queue, ['apprentice'])).toEqual(['esc-1', 'esc-3']);
    });

    it('reports positions that match the serving order, as chats come and go', async () => {
      const chats = [
        aChat('a-low', { priority: 5 }),
        aChat('a-high', { priority: 50 }),
        aChat('e-only', { pool: 'expert', priority: 1 }),
        aChat('a-mid', { priority: 20 }),
        aChat('a-mid-later', { priority: 20 }),
      ];
      for (const chat of chats) await queue.enqueue(chat);

      const expectPositionsMatchWaiting = async (): Promise<void> => {
        for (const pool of ['apprentice', 'expert'] as const) {
          const line = await ids(queue, pool);
          for (const [index, id] of line.entries()) {
            expect({ id, at: await queue.position(id) }).toEqual({ id, at: { position: index + 1, waiting: line.length } });
          }
        }
      };
      expect(await ids(queue, 'apprentice')).toEqual(['a-high', 'a-mid', 'a-mid-later', 'a-low']);
      await expectPositionsMatchWaiting();

      expect((await queue.takeNext(['apprentice']))?.escalationId).toBe('a-high');
      expect(await queue.position('a-low')).toEqual({ position: 3, waiting: 3 });
      await queue.enqueue(aChat('a-urgent', { priority: 99 }));
      expect(await queue.position('a-low')).toEqual({ position: 4, waiting: 4 });
      expect(await queue.position('a-urgent')).toEqual({ position: 1, waiting: 4 });
      await expectPositionsMatchWaiting();
    });

    it('lists at most `limit` chats, the first in serving order; a limit of 0 lists none', async () => {
      for (const [index, priority] of [1, 4, 2, 3].entries()) await queue.enqueue(aChat(`p${priority}`, { priority, enqueuedAt: T0 + index }));
      expect(await ids(queue, 'apprentice', 2)).toEqual(['p4', 'p3']);
      expect(await ids(queue, 'apprentice', 10)).toEqual(['p4', 'p3', 'p2', 'p1']);
      expect(await queue.waiting('apprentice', 0)).toEqual([]);
    });

    it('accepts any non-empty escalation id, colons, digits and all', async () => {
      const odd = ['webchat:conv-1', '42', 'a b/c%3A.d', 'ünïcode:✓'];
      for (const id of odd) await queue.enqueue(aChat(id));
      expect(await ids(queue, 'apprentice')).toEqual(odd);
      expect(await queue.position('42')).toEqual({ position: 2, waiting: 4 });
      expect(await queue.remove('a b/c%3A.d')).toBe(true);
      expect(await takeAll(queue, ['apprentice'])).toEqual(['webchat:conv-1', '42', 'ünïcode:✓']);
    });

    it('rejects malformed chats the same way on every adapter, adding nothing', async () => {
      await expect(queue.enqueue(aChat('esc-1', { priority: 1.5 }))).rejects.toThrow(RangeError);
      await expect(queue.enqueue(aChat('esc-1', { priority: -1 }))).rejects.toThrow(RangeError);
      await expect(queue.enqueue(aChat('esc-1', { priority: MAX_CHAT_PRIORITY + 1 }))).rejects.toThrow(RangeError);
      await expect(queue.enqueue(aChat('esc-1', { enqueuedAt: Number.NaN }))).rejects.toThrow(RangeError);
      await expect(queue.enqueue(aChat(''))).rejects.toThrow(TypeError);
      await expect(queue.enqueue(aChat('esc-1', { pool: 'vip' as AgentPool }))).rejects.toThrow(TypeError);
      await expect(queue.waiting('apprentice', -1)).rejects.toThrow(RangeError);
      await expect(queue.takeNext(['vip' as AgentPool])).rejects.toThrow(TypeError);
      expect(await queue.waiting('apprentice')).toEqual([]);
    });
  });

  describe('timers', () => {
    it('delivers a timer when it is due, and not before', async () => {
      const deliveries = recordTimers(queue);
      const dueAt = Date.now() + 300;
      await queue.schedule('sla', 'esc-1', dueAt);

      await waitFor(() => deliveries.length === 1, 'the SLA timer');
      expect(deliveries[0]).toMatchObject({ kind: 'sla', escalationId: 'esc-1', dueAt });
      expect(deliveries[0].deliveredAt).toBeGreaterThanOrEqual(dueAt - 5);
      expect(deliveries[0].deliveredAt).toBeLessThan(dueAt + 1000);
    });

    it('delivers a timer that is already due at once', async () => {
      const deliveries = recordTimers(queue);
      const dueAt = Date.now() - 60_000;
      await queue.schedule('abandon', 'esc-1', dueAt);
      await waitFor(() => deliveries.length === 1, 'the overdue timer', 3000);
      expect(deliveries[0]).toMatchObject({ kind: 'abandon', escalationId: 'esc-1', dueAt });
    });

    it('replaces a timer rescheduled for later: one delivery, at the new time', async () => {
      const deliveries = recordTimers(queue);
      const first = Date.now() + LEAD_MS;
      await queue.schedule('sla', 'esc-1', first);
      const later = first + 500;
      await queue.schedule('sla', 'esc-1', later);

      await sleepUntil(first + 250);
      expect(deliveries).toEqual([]);
      await waitFor(() => deliveries.length === 1, 'the rescheduled timer');
      await sleep(300);
      expect(deliveries.map((timer) => timer.dueAt)).toEqual([later]);
      expect(deliveries[0].deliveredAt).toBeGreaterThanOrEqual(later - 5);
    });

    it('replaces a timer rescheduled for sooner: one delivery, at the new time', async () => {
      const deliveries = recordTimers(queue);
      await queue.schedule('after_hours_callback', 'esc-1', Date.now() + 60_000);
      const sooner = Date.now() + 150;
      await queue.schedule('after_hours_callback', 'esc-1', sooner);

      await waitFor(() => deliveries.length === 1, 'the rescheduled timer');
      await sleep(300);
      expect(deliveries.map((timer) => timer.dueAt)).toEqual([sooner]);
    });

    it('keeps timers of different kinds and escalations apart', async () => {
      const deliveries = recordTimers(queue);
      const dueAt = Date.now() + 150;
      await queue.schedule('sla', 'esc-1', dueAt);
      await queue.schedule('abandon', 'esc-1', dueAt + 10);
      await queue.schedule('sla', 'esc-2', dueAt + 20);

      await waitFor(() => deliveries.length === 3, 'three timers');
      await sleep(200);
      const delivered = deliveries.map(({ kind, escalationId }) => `${kind}/${escalationId}`).sort();
      expect(delivered).toEqual(['abandon/esc-1', 'sla/esc-1', 'sla/esc-2']);
    });

    it('delivers nothing for a cancelled timer; cancelling an unknown timer is harmless', async () => {
      const deliveries = recordTimers(queue);
      await queue.schedule('sla', 'esc-1', Date.now() + LEAD_MS);
      await queue.schedule('sla', 'esc-2', Date.now() + LEAD_MS);
      await queue.cancelTimer('sla', 'esc-1');
      await queue.cancelTimer('abandon', 'esc-1');
      await queue.cancelTimer('sla', 'never-scheduled');

      await waitFor(() => deliveries.length === 1, 'the timer that was not cancelled');
      await sleep(300);
      expect(deliveries.map((timer) => timer.escalationId)).toEqual(['esc-2']);
    });

    it('delivers a timer again, after a back-off, when its handler fails', async () => {
      const deliveries = recordTimers(queue, async (_timer, count) => {
        if (count === 1) throw new Error('the store is briefly unavailable');
      });
      const dueAt = Date.now() + 100;
      await queue.schedule('sla', 'esc-1', dueAt);

      await waitFor(() => deliveries.length === 2, 'the second delivery');
      await sleep(FAST_TIMER_RETRY.maxDelayMs + 200);
      expect(deliveries).toHaveLength(2);
      expect(deliveries[1]).toMatchObject({ kind: 'sla', escalationId: 'esc-1', dueAt });
      expect(deliveries[1].deliveredAt - deliveries[0].deliveredAt).toBeGreaterThanOrEqual(FAST_TIMER_RETRY.firstDelayMs - 5);
    });

    it('stops delivering after the last attempt of a handler that always fails', async () => {
      const deliveries = recordTimers(queue, async () => {
        throw new Error('always broken');
      });
      await queue.schedule('abandon', 'esc-1', Date.now());

      await waitFor(() => deliveries.length === FAST_TIMER_RETRY.attempts, 'every attempt');
      await sleep(FAST_TIMER_RETRY.maxDelayMs * 2 + 200);
      expect(deliveries).toHaveLength(FAST_TIMER_RETRY.attempts);
    });

    it('delivers a timer that its own handler rescheduled again', async () => {
      let next = 0;
      const deliveries = recordTimers(queue, async (timer, count) => {
        if (count === 1) {
          next = Date.now() + 150;
          await queue.schedule(timer.kind, timer.escalationId, next);
        }
      });
      await queue.schedule('sla', 'esc-1', Date.now() + 50);

      await waitFor(() => deliveries.length === 2, 'the timer the handler rescheduled');
      await sleep(300);
      expect(deliveries).toHaveLength(2);
      expect(deliveries[1].dueAt).toBe(next);
    });

    it('does not deliver again a timer cancelled while its failing handler ran', async () => {
      const deliveries = recordTimers(queue, async (timer) => {
        await queue.cancelTimer(timer.kind, timer.escalationId); // e.g. the customer left meanwhile
        throw new Error('failed after the cancel');
      });
      await queue.schedule('abandon', 'esc-1', Date.now() + 50);

      await waitFor(() => deliveries.length === 1, 'the first delivery');
      await sleep(FAST_TIMER_RETRY.maxDelayMs * 2 + 200);
      expect(deliveries).toHaveLength(1);
    });

    it('retries only the replacement of a timer rescheduled while its failing handler ran', async () => {
      let next = 0;
      const deliveries = recordTimers(queue, async (timer, count) => {
        if (count > 1) return;
        next = Date.now() + 400;
        await queue.schedule(timer.kind, timer.escalationId, next);
        throw new Error('failed after rescheduling');
      });
      await queue.schedule('sla', 'esc-1', Date.now() + 50);

      await waitFor(() => deliveries.length === 2, 'the replacement');
      await sleep(300);
      expect(deliveries.map((timer) => timer.dueAt)).toEqual([deliveries[0].dueAt, next]);
      expect(deliveries[1].deliveredAt).toBeGreaterThanOrEqual(next - 5);
    });

    it('keeps timers that fell due before a handler was registered, and delivers them then', async () => {
      await queue.schedule('sla', 'esc-1', Date.now() + 50);
      await sleep(250);
      const deliveries = recordTimers(queue);
      await waitFor(() => deliveries.length === 1, 'the timer that waited for a handler');
      expect(deliveries[0]).toMatchObject({ kind: 'sla', escalationId: 'esc-1' });
    });

    it('takes one timer handler per queue', () => {
      queue.onTimer(async () => undefined);
      expect(() => queue.onTimer(async () => undefined)).toThrow(/once/);
    });

    it('rejects malformed timers', async () => {
      await expect(queue.schedule('nap' as 'sla', 'esc-1', Date.now())).rejects.toThrow(TypeError);
      await expect(queue.schedule('sla', '', Date.now())).rejects.toThrow(TypeError);
      await expect(queue.schedule('sla', 'esc-1', Number.NaN)).rejects.toThrow(RangeError);
      await expect(queue.cancelTimer('nap' as 'sla', 'esc-1')).rejects.toThrow(TypeError);
    });
  });

  describe('close', () => {
    it('closes once, delivers no timer afterwards, and refuses further calls', async () => {
      const deliveries = recordTimers(queue);
      const dueAt = Date.now() + LEAD_MS;
      await queue.schedule('sla', 'esc-1', dueAt);
      await queue.close();
      await queue.close();

      await sleepUntil(dueAt + 300);
      expect(deliveries).toEqual([]);
      await expect(queue.enqueue(aChat('esc-1'))).rejects.toThrow(/closed/);
      await expect(queue.takeNext(['apprentice'])).rejects.toThrow(/closed/);
    });
  });
}

describeOnEveryQueueAdapter('AgentQueue', agentQueueContract);

describeOnRedis('AgentQueue [bullmq: several instances sharing REDIS_URL]', (lane) => {
  let first: AgentQueue;
  let second: AgentQueue;
  beforeEach(async () => {
    [first, second] = await Promise.all([lane.newQueue(), lane.newQueue()]);
  });

  it('shows a chat enqueued by one instance to another, which takes it from both', async () => {
    await first.enqueue(aChat('esc-1', { priority: 10 }));
    await second.enqueue(aChat('esc-2', { priority: 20 }));

    expect(await ids(second, 'apprentice')).toEqual(['esc-2', 'esc-1']);
    expect(await first.position('esc-1')).toEqual({ position: 2, waiting: 2 });
    expect((await second.takeNext(['apprentice']))?.escalationId).toBe('esc-2');
    expect((await second.takeNext(['apprentice']))?.escalationId).toBe('esc-1');
    expect(await first.waiting('apprentice')).toEqual([]);
    expect(await first.takeNext(['apprentice'])).toBeUndefined();
  });

  it('treats an enqueue from another instance as the same chat', async () => {
    await first.enqueue(aChat('esc-1', { priority: 10 }));
    await second.enqueue(aChat('esc-1', { priority: 90, pool: 'expert' }));
    expect(await first.waiting('apprentice')).toEqual([aChat('esc-1', { priority: 10 })]);
    expect(await second.waiting('expert')).toEqual([]);
  });

  it('delivers a timer scheduled by an instance that stopped to another instance', async () => {
    const dueAt = Date.now() + 300;
    await first.schedule('abandon', 'esc-1', dueAt);
    await first.close(); // as if its process had died: nothing of it is left running

    const deliveries = recordTimers(second);
    await waitFor(() => deliveries.length === 1, 'the orphaned timer');
    expect(deliveries[0]).toMatchObject({ kind: 'abandon', escalationId: 'esc-1', dueAt });
    expect(deliveries[0].deliveredAt).toBeGreaterThanOrEqual(dueAt - 5);
  });

  it('delivers each timer to one instance when several handle timers', async () => {
    const toFirst = recordTimers(first);
    const toSecond = recordTimers(second);
    const escalations = ['esc-1', 'esc-2', 'esc-3', 'esc-4', 'esc-5', 'esc-6'];
    for (const id of escalations) await first.schedule('sla', id, Date.now() + 100);

    await waitFor(() => toFirst.length + toSecond.length === escalations.length, 'every timer');
    await sleep(300);
    expect([...toFirst, ...toSecond].map((timer) => timer.escalationId).sort()).toEqual(escalations);
  });

  it('lets one instance reschedule or cancel a timer another instance scheduled', async () => {
    const deliveries = recordTimers(first);
    await first.schedule('sla', 'esc-1', Date.now() + LEAD_MS);
    await first.schedule('sla', 'esc-2', Date.now() + LEAD_MS);
    const later = Date.now() + LEAD_MS + 300;
    await second.schedule('sla', 'esc-1', later);
    await second.cancelTimer('sla', 'esc-2');

    await waitFor(() => deliveries.length === 1, 'the rescheduled timer');
    await sleep(300);
    expect(deliveries.map(({ escalationId, dueAt }) => ({ escalationId, dueAt }))).toEqual([{ escalationId: 'esc-1', dueAt: later }]);
  });
});
