import type { AgentPool, EscalationRecord, EscalationStatus, Escalations } from '../../storage/ports';
import { expectAttuneError } from '../support/expect-attune-error';
import { aHandoffPackage, anEscalation, at, omit } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function escalationsContract(newStore: StoreFactory): void {
  let escalations: Escalations;
  beforeEach(async () => {
    escalations = (await newStore()).escalations;
  });

  /** `count` agents try to take the same queued escalation at once. */
  async function race(count: number): Promise<void> {
    await escalations.create(anEscalation());
    const agents = Array.from({ length: count }, (_, n) => `agent-${n}`);
    const take = (agentId: string, n: number) =>
      escalations.transition('esc-1', ['queued'], 'assigned', { agentId, assignedAt: at(100 + n) }, at(100 + n));
    const results = await Promise.all(agents.map(take));
    const winners = results.filter((result): result is EscalationRecord => result !== undefined);
    expect(winners).toHaveLength(1);
    expect(agents).toContain(winners[0].agentId);
    expect(await escalations.get('esc-1')).toStrictEqual(winners[0]);
  }

  describe('create and get', () => {
    it('reads back a new escalation exactly: nested handoff, dates as Dates, optional fields absent', async () => {
      const record = omit(anEscalation({ handoff: omit(aHandoffPackage(), 'dialogInProgress') }), 'customerId');
      await escalations.create(record);

      const stored = await escalations.get('esc-1');
      expect(stored).toStrictEqual(record);
      for (const field of ['customerId', 'agentId', 'assignedAt', 'slaBreachedAt', 'endedAt', 'disposition', 'csat']) {
        expect(stored).not.toHaveProperty(field);
      }
      expect(stored?.handoff).not.toHaveProperty('dialogInProgress');
      expect(stored?.createdAt).toBeInstanceOf(Date);
      expect(stored?.handoff.trajectory[1].at).toBeInstanceOf(Date);
    });

    it('reads back every optional field once set', async () => {
      const record = anEscalation({
        status: 'resolved',
        afterHours: true,
        agentId: 'agent-7',
        assignedAt: at(60),
        slaBreachedAt: at(50),
        endedAt: at(600),
        disposition: 'card_unblocked',
        csat: 4,
        updatedAt: at(700),
      });
      await escalations.create(record);
      const stored = await escalations.get('esc-1');
      expect(stored).toStrictEqual(record);
      expect(stored?.assignedAt).toBeInstanceOf(Date);
      expect(stored?.slaBreachedAt).toBeInstanceOf(Date);
      expect(stored?.endedAt).toBeInstanceOf(Date);
    });

    it('returns undefined for an unknown id', async () => {
      expect(await escalations.get('esc-nope')).toBeUndefined();
    });

    it('rejects a second escalation with the same id and keeps the first', async () => {
      const first = anEscalation();
      await escalations.create(first);
      const second = anEscalation({ pool: 'expert', priority: 9 });
      await expectAttuneError(escalations.create(second), 'ATTUNE_STORAGE_CONFLICT');
      expect(await escalations.get('esc-1')).toStrictEqual(first);
    });
  });

  describe('activeForConversation', () => {
    it('ignores ended escalations and escalations of other conversations', async () => {
      await escalations.create(anEscalation({ id: 'esc-r', status: 'resolved' }));
      await escalations.create(anEscalation({ id: 'esc-a', status: 'abandoned' }));
      await escalations.create(anEscalation({ id: 'esc-e', status: 'expired' }));
      await escalations.create(anEscalation({ id: 'esc-other', conversationId: 'webchat:conv-2' }));
      expect(await escalations.activeForConversation('webchat:conv-1')).toBeUndefined();
    });

    it('returns the queued escalation, and still returns it once assigned', async () => {
      await escalations.create(anEscalation({ id: 'esc-old', status: 'resolved', createdAt: at(0) }));
      const queued = anEscalation({ id: 'esc-now' });
      await escalations.create(queued);
      expect(await escalations.activeForConversation('webchat:conv-1')).toStrictEqual(queued);

      const assigned = await escalations.transition('esc-now', ['queued'], 'assigned', { agentId: 'agent-1' }, at(90));
      expect(assigned?.status).toBe('assigned');
      expect(await escalations.activeForConversation('webchat:conv-1')).toStrictEqual(assigned);
    });
  });

  describe('one active escalation per conversation', () => {
    const ACTIVE: readonly EscalationStatus[] = ['queued', 'assigned'];
    const activeIn = async (conversationId: string) => escalations.list({ statuses: ACTIVE, conversationId }, 10);

    /** `count` turns (on as many instances) open an escalation for one conversation at once. */
    async function raceToOpen(count: number): Promise<void> {
      const ids = Array.from({ length: count }, (_, n) => `esc-turn-${n}`);
      const results = await Promise.all(ids.map((id, n) => escalations.create(anEscalation({ id, createdAt: at(40 + n), updatedAt: at(40 + n) }))));
      const active = await activeIn('webchat:conv-1');
      expect(active).toHaveLength(1);
      expect(ids).toContain(active[0].id);
      // Every caller gets the one that was stored, whole.
      for (const result of results) expect(result).toStrictEqual(active[0]);
      for (const id of ids.filter((id) => id !== active[0].id)) expect(await escalations.get(id)).toBeUndefined();
    }

    it('of two concurrent creates for one conversation stores one, and both callers get it', async () => {
      await raceToOpen(2);
    });

    it('of ten concurrent creates for one conversation stores one, and every caller gets it', async () => {
      await raceToOpen(10);
    });

    it('resolves the new escalation when it is stored', async () => {
      const record = anEscalation();
      expect(await escalations.create(record)).toStrictEqual(record);
    });

    it('stores nothing while the conversation has one queued or assigned, and resolves that one', async () => {
      const first = anEscalation({ id: 'esc-first' });
      await escalations.create(first);
      expect(await escalations.create(anEscalation({ id: 'esc-second', pool: 'expert' }))).toStrictEqual(first);

      const assigned = await escalations.transition('esc-first', ['queued'], 'assigned', { agentId: 'agent-1', assignedAt: at(90) }, at(90));
      expect(await escalations.create(anEscalation({ id: 'esc-third' }))).toStrictEqual(assigned);
      expect(await escalations.get('esc-second')).toBeUndefined();
      expect(await escalations.get('esc-third')).toBeUndefined();
    });

    it.each(['resolved', 'abandoned', 'expired'] as const)('opens a new one once the last one is %s', async (ended) => {
      await escalations.create(anEscalation({ id: 'esc-first' }));
      await escalations.transition('esc-first', ['queued'], ended, { endedAt: at(300) }, at(300));
      const again = anEscalation({ id: 'esc-again', createdAt: at(400), updatedAt: at(400) });
      expect(await escalations.create(again)).toStrictEqual(again);
      expect((await activeIn('webchat:conv-1')).map((record) => record.id)).toEqual(['esc-again']);
    });

    it('keeps conversations apart, and stores ended escalations beside an active one (imports)', async () => {
      const queued = anEscalation({ id: 'esc-queued' });
      const elsewhere = anEscalation({ id: 'esc-elsewhere', conversationId: 'webchat:conv-2' });
      const past = anEscalation({ id: 'esc-past', status: 'resolved', endedAt: at(30) });
      expect(await escalations.create(queued)).toStrictEqual(queued);
      expect(await escalations.create(elsewhere)).toStrictEqual(elsewhere);
      expect(await escalations.create(past)).toStrictEqual(past);
      expect(await escalations.create(anEscalation({ id: 'esc-past-too', status: 'abandoned' }))).toMatchObject({ id: 'esc-past-too' });
      expect(await activeIn('webchat:conv-1')).toStrictEqual([queued]);
    });

    it('still rejects a taken id with ATTUNE_STORAGE_CONFLICT, also one taken in another conversation', async () => {
      await escalations.create(anEscalation({ id: 'esc-taken', conversationId: 'webchat:conv-2', status: 'resolved' }));
      await expectAttuneError(escalations.create(anEscalation({ id: 'esc-taken' })), 'ATTUNE_STORAGE_CONFLICT');
      expect(await activeIn('webchat:conv-1')).toEqual([]);
    });
  });

  describe('transition', () => {
    it('moves the status, applies the changes and sets updatedAt; resolves the updated record', async () => {
      await escalations.create(anEscalation());
      const changes = { agentId: 'agent-1', pool: 'expert', priority: 5, assignedAt: at(90), slaBreachedAt: at(60) } as const;
      const updated = await escalations.transition('esc-1', ['queued'], 'assigned', changes, at(91));
      const expected = anEscalation({ ...changes, status: 'assigned', updatedAt: at(91) });
      expect(updated).toStrictEqual(expected);
      expect(await escalations.get('esc-1')).toStrictEqual(expected);

      const ending = { endedAt: at(600), disposition: 'done' };
      const ended = await escalations.transition('esc-1', ['queued', 'assigned'], 'resolved', ending, at(601));
      expect(ended).toStrictEqual({ ...expected, ...ending, status: 'resolved', updatedAt: at(601) });
    });

    it('leaves a field alone when its change is undefined', async () => {
      await escalations.create(anEscalation({ status: 'assigned', agentId: 'agent-1' }));
      const changes = { agentId: undefined, endedAt: at(300) };
      const updated = await escalations.transition('esc-1', ['assigned'], 'resolved', changes, at(300));
      const expected = anEscalation({ status: 'resolved', agentId: 'agent-1', endedAt: at(300), updatedAt: at(300) });
      expect(updated).toStrictEqual(expected);
      expect(await escalations.get('esc-1')).toStrictEqual(updated);
    });

    it('clears the agent and the assignment time when their change is null (a transfer), keeping the rest', async () => {
      await escalations.create(anEscalation({ status: 'assigned', agentId: 'agent-1', assignedAt: at(90), slaBreachedAt: at(60) }));
      const moved = await escalations.transition('esc-1', ['assigned'], 'queued', { pool: 'expert', agentId: null, assignedAt: null }, at(200));
      const expected = anEscalation({ status: 'queued', pool: 'expert', slaBreachedAt: at(60), updatedAt: at(200) });
      expect(moved).toStrictEqual(expected);
      expect(await escalations.get('esc-1')).toStrictEqual(expected);
      expect(await escalations.get('esc-1')).not.toHaveProperty('agentId');

      // Taken again: the new agent and time are set as on a first take.
      const retaken = await escalations.transition('esc-1', ['queued'], 'assigned', { agentId: 'agent-2', assignedAt: at(300) }, at(300));
      expect(retaken).toMatchObject({ status: 'assigned', agentId: 'agent-2', assignedAt: at(300) });
    });

    it('refuses a transition from another status: resolves undefined and changes nothing', async () => {
      const record = anEscalation({ status: 'resolved', endedAt: at(300) });
      await escalations.create(record);
      const take = { agentId: 'agent-1' };
      expect(await escalations.transition('esc-1', ['queued', 'assigned'], 'assigned', take, at(400))).toBeUndefined();
      expect(await escalations.transition('esc-1', [], 'queued', {}, at(401))).toBeUndefined();
      expect(await escalations.get('esc-1')).toStrictEqual(record);
    });

    it('resolves undefined for an unknown escalation and does not create it', async () => {
      const take = { agentId: 'agent-1' };
      expect(await escalations.transition('esc-ghost', ['queued'], 'assigned', take, at(1))).toBeUndefined();
      expect(await escalations.get('esc-ghost')).toBeUndefined();
    });

    it('lets exactly one of two agents take a queued escalation at once', async () => {
      await race(2);
    });

    it('lets exactly one of ten agents take a queued escalation at once', async () => {
      await race(10);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      const escalation = (id: string, status: EscalationStatus, pool: AgentPool, created: number) => {
        const when = at(created);
        return anEscalation({ id, conversationId: `webchat:${id}`, status, pool, createdAt: when, updatedAt: when });
      };
      // Inserted out of order so that insertion order cannot pass for time order.
      await escalations.create(escalation('q-app-30', 'queued', 'apprentice', 30));
      await escalations.create(escalation('q-exp-10', 'queued', 'expert', 10));
      await escalations.create(escalation('a-app-20', 'assigned', 'apprentice', 20));
      await escalations.create(escalation('r-app-5', 'resolved', 'apprentice', 5));
      await escalations.create(escalation('q-app-0', 'queued', 'apprentice', 0));
      await escalations.create(escalation('x-exp-1', 'expired', 'expert', 1));
    });

    const ids = (records: EscalationRecord[]) => records.map((record) => record.id);

    it('lists the escalations in the given statuses, oldest first, in every pool when none is given', async () => {
      expect(ids(await escalations.list({ statuses: ['queued'] }, 10))).toEqual(['q-app-0', 'q-exp-10', 'q-app-30']);
      expect(ids(await escalations.list({ statuses: ['queued', 'assigned'] }, 10))).toEqual([
        'q-app-0',
        'q-exp-10',
        'a-app-20',
        'q-app-30',
      ]);
      expect(ids(await escalations.list({ statuses: ['resolved', 'expired'] }, 10))).toEqual(['x-exp-1', 'r-app-5']);
    });

    it('reads back whole records', async () => {
      const [first] = await escalations.list({ statuses: ['queued'] }, 1);
      expect(first).toStrictEqual(await escalations.get('q-app-0'));
      expect(first.createdAt).toBeInstanceOf(Date);
    });

    it('keeps to the given pools', async () => {
      expect(ids(await escalations.list({ statuses: ['queued'], pools: ['expert'] }, 10))).toEqual(['q-exp-10']);
      const apprentices = await escalations.list({ statuses: ['queued', 'assigned'], pools: ['apprentice'] }, 10);
      expect(ids(apprentices)).toEqual(['q-app-0', 'a-app-20', 'q-app-30']);
      expect(await escalations.list({ statuses: ['queued'], pools: [] }, 10)).toEqual([]);
    });

    it('keeps to the given agent', async () => {
      await escalations.create(anEscalation({ id: 'a-ann-40', conversationId: 'webchat:a-ann-40', status: 'assigned', agentId: 'agent-ann', createdAt: at(40) }));
      await escalations.create(anEscalation({ id: 'a-bob-50', conversationId: 'webchat:a-bob-50', status: 'assigned', agentId: 'agent-bob', createdAt: at(50) }));
      await escalations.create(anEscalation({ id: 'r-ann-60', conversationId: 'webchat:r-ann-60', status: 'resolved', agentId: 'agent-ann', createdAt: at(60) }));
      await escalations.create(anEscalation({ id: 'a-ann-70', conversationId: 'webchat:a-ann-70', status: 'assigned', agentId: 'agent-ann', createdAt: at(70) }));
      expect(ids(await escalations.list({ statuses: ['assigned'], agentId: 'agent-ann' }, 10))).toEqual(['a-ann-40', 'a-ann-70']);
      expect(ids(await escalations.list({ statuses: ['assigned', 'resolved'], agentId: 'agent-ann' }, 10))).toEqual(['a-ann-40', 'r-ann-60', 'a-ann-70']);
      expect(await escalations.list({ statuses: ['assigned'], agentId: 'agent-nobody' }, 10)).toEqual([]);
    });

    it('returns at most `limit`, the oldest; nothing for a limit of 0 or no statuses', async () => {
      expect(ids(await escalations.list({ statuses: ['queued', 'assigned'] }, 2))).toEqual(['q-app-0', 'q-exp-10']);
      expect(ids(await escalations.list({ statuses: ['queued'], newestFirst: true }, 2))).toEqual(['q-app-30', 'q-exp-10']);
      expect(ids(await escalations.list({ statuses: ['queued', 'assigned', 'resolved', 'expired'], conversationId: 'webchat:q-exp-10' }, 10))).toEqual(['q-exp-10']);
      expect(await escalations.list({ statuses: ['queued'] }, 0)).toEqual([]);
      expect(await escalations.list({ statuses: ['queued'] }, -1)).toEqual([]);
      expect(await escalations.list({ statuses: [] }, 10)).toEqual([]);
    });
  });

  describe('recordCsat', () => {
    it('stores the rating once: a second rating resolves false and changes nothing', async () => {
      await escalations.create(anEscalation({ status: 'resolved' }));
      expect(await escalations.recordCsat('esc-1', 4, at(700))).toBe(true);
      const rated = anEscalation({ status: 'resolved', csat: 4, updatedAt: at(700) });
      expect(await escalations.get('esc-1')).toStrictEqual(rated);

      expect(await escalations.recordCsat('esc-1', 1, at(800))).toBe(false);
      expect(await escalations.get('esc-1')).toStrictEqual(rated);
    });

    it('stores one of two concurrent ratings', async () => {
      await escalations.create(anEscalation({ status: 'resolved' }));
      const results = await Promise.all([
        escalations.recordCsat('esc-1', 2, at(700)),
        escalations.recordCsat('esc-1', 5, at(701)),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await escalations.get('esc-1');
      expect(stored?.csat).toBe(results[0] ? 2 : 5);
    });

    it('resolves false for an unknown escalation and does not create it', async () => {
      expect(await escalations.recordCsat('esc-ghost', 5, at(1))).toBe(false);
      expect(await escalations.get('esc-ghost')).toBeUndefined();
    });

    const invalidRatings = [0, 6, 3.5, -1, Number.NaN];
    it.each(invalidRatings)('rejects the rating %p with ATTUNE_REQUEST_INVALID and stores nothing', async (rating) => {
      const record = anEscalation({ status: 'resolved' });
      await escalations.create(record);
      await expectAttuneError(escalations.recordCsat('esc-1', rating, at(700)), 'ATTUNE_REQUEST_INVALID');
      expect(await escalations.get('esc-1')).toStrictEqual(record);
      expect(await escalations.recordCsat('esc-1', 5, at(701))).toBe(true);
    });
  });

  describe('anonymiseCustomer', () => {
    const EVERY_STATUS: readonly EscalationStatus[] = ['queued', 'assigned', 'resolved', 'abandoned', 'expired'];
    const rated = anEscalation({ id: 'esc-rated', status: 'resolved', agentId: 'agent-1', assignedAt: at(60), endedAt: at(600), disposition: 'card_unblocked', csat: 4, updatedAt: at(700) });

    beforeEach(async () => {
      await escalations.create(rated);
      await escalations.create(anEscalation({ id: 'esc-again', createdAt: at(800), updatedAt: at(800) }));
      await escalations.create(anEscalation({ id: 'esc-elsewhere', conversationId: 'telegram:conv-9', channelId: 'telegram', createdAt: at(900), updatedAt: at(900) }));
      await escalations.create(anEscalation({ id: 'esc-someone-else', customerId: 'cust-2', conversationId: 'webchat:conv-2' }));
    });

    it('lists a customer\'s escalations in every status, and only theirs', async () => {
      const theirs = await escalations.list({ statuses: EVERY_STATUS, customerId: 'cust-1' }, 10);
      expect(theirs.map((record) => record.id)).toEqual(['esc-rated', 'esc-again', 'esc-elsewhere']);
      expect(theirs[0]).toStrictEqual(rated);
    });

    it('keeps what insights count and drops the person, their words and how to reach them', async () => {
      expect(await escalations.anonymiseCustomer('cust-1')).toBe(3);

      const stored = await escalations.get('esc-rated');
      const { customerId: _customer, ...kept } = rated;
      expect(stored).toStrictEqual({
        ...kept,
        conversationId: expect.stringMatching(/^erased:/),
        reasons: [{ name: 'explicit_human_request', weight: 1 }],
        handoff: {
          intents: rated.handoff.intents,
          entities: [],
          trajectory: [
            { at: at(0), sentiment: -0.2, frustration: 0.1, reasons: [] },
            { at: at(30), sentiment: -0.7, frustration: 0.64, reasons: [{ name: 'anger_cues', weight: 0.3 }] },
          ],
          botTried: rated.handoff.botTried,
          dialogInProgress: rated.handoff.dialogInProgress,
          summary: '',
          nextBestAction: rated.handoff.nextBestAction,
        },
        conversationReference: {},
      });
      expect(JSON.stringify(stored)).not.toMatch(/Ada|cust-1|conv-1|web-user-1|1234/);
      expect(await escalations.list({ statuses: EVERY_STATUS, customerId: 'cust-1' }, 10)).toEqual([]);
      expect(await escalations.activeForConversation('webchat:conv-1')).toBeUndefined();
    });

    it('keeps escalations of one conversation together under a new id, apart from other conversations', async () => {
      await escalations.anonymiseCustomer('cust-1');
      const [first, again, elsewhere] = await Promise.all(['esc-rated', 'esc-again', 'esc-elsewhere'].map((id) => escalations.get(id)));
      expect(again?.conversationId).toBe(first?.conversationId);
      expect(elsewhere?.conversationId).not.toBe(first?.conversationId);
      expect(elsewhere?.conversationId).toMatch(/^erased:/);
    });

    it('leaves other customers alone, and a rerun finds nothing more to do', async () => {
      await escalations.anonymiseCustomer('cust-1');
      expect(await escalations.get('esc-someone-else')).toStrictEqual(anEscalation({ id: 'esc-someone-else', customerId: 'cust-2', conversationId: 'webchat:conv-2' }));
      expect(await escalations.anonymiseCustomer('cust-1')).toBe(0);
      expect(await escalations.anonymiseCustomer('cust-nobody')).toBe(0);
    });
  });
}

describeOnEveryAdapter('Escalations', escalationsContract);
