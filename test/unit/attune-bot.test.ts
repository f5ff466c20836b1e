import { TestAdapter, type Activity } from 'botbuilder';
import type { ContentLibrary } from '../../content/content-library';
import { parseBusinessHours } from '../../escalation/business-hours';
import type { DeskEvents } from '../../escalation/desk-events';
import { extractEntities } from '../../nlu/entities';
import type { AttuneStore } from '../../storage/ports';
import { keywordRecognizer } from '../support/keyword-recognizer';
import { loadTestContent, startTestBot, type TestBot } from '../support/test-bot';

const templateOf = (activity: Partial<Activity>) => (activity.channelData as { attune?: { template: string; tone: string } } | undefined)?.attune;

describe('AttuneBot conversations (TestAdapter)', () => {
  let content: ContentLibrary;
  let testBot: TestBot;
  let store: AttuneStore;
  let adapter: TestAdapter;
  /** What the bot published for the agent desks: escalation id and the texts relayed. */
  let relayed: { escalationId: string; texts: string[] }[];
  /** The clock the bot reads (epoch ms): a test moves it to let time pass between messages. */
  let now: number;
  const minutesPass = (n: number) => () => {
    now += n * 60_000;
  };

  beforeAll(async () => {
    content = await loadTestContent();
  });

  beforeEach(async () => {
    relayed = [];
    now = Date.now();
    const deskEvents: DeskEvents = {
      escalationChanged: async () => undefined,
      transcriptAdded: async (escalation, turns) => {
        relayed.push({ escalationId: escalation.id, texts: turns.map((turn) => turn.text) });
      },
    };
    testBot = await startTestBot(content, { deskEvents, now: () => now });
    store = testBot.store;
    const { bot } = testBot;
    adapter = new TestAdapter((context) => bot.run(context));
  });

  afterEach(async () => {
    await testBot.close();
  });

  it('walks the card-not-arrived dialog to a replacement', async () => {
    await adapter
      .send('my card hasn\'t arrived')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.askWhenOrdered'))
      .send('More than a week ago')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.offerReplacement'))
      .send('yes')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.replacementOrdered'))
      .startTest();
  });

  it('answers a card that was ordered recently without offering a replacement', async () => {
    await adapter
      .send('my card hasn\'t arrived')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.askWhenOrdered'))
      .send('Less than a week ago')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.stillOnItsWay'))
      .startTest();
  });

  it('freezes a lost card in a reassuring tone', async () => {
    await adapter
      .send('I lost my card')
      .assertReply((reply) => {
        expect(templateOf(reply)).toEqual({ template: 'lostCard.askToFreeze', tone: 'reassuring' });
      })
      .send('yes')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('lostCard.frozen'))
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('lostCard.offerReplacement'))
      .startTest();
  });

  it('admits it did not understand and offers choices including a person', async () => {
    await adapter
      .send('purple elephants')
      .assertReply((reply) => {
        expect(templateOf(reply)?.template).toBe('fallback');
        expect(reply.suggestedActions?.actions.map((a) => a.title)).toEqual(['card arrival', 'top up failed', 'Talk to a person']);
      })
      .startTest();
  });

  it('lets a customer switch task mid-dialog with a clear new request', async () => {
    await adapter
      .send('my card hasn\'t arrived')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.askWhenOrdered'))
      .send('actually my top up failed this morning')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('topUpFailed.askMethod'))
      .startTest();
  });

  it('hands an explicit request for a person over at once, with the handoff.initiate event and transcript', async () => {
    const sent: Partial<Activity>[] = [];
    await adapter
      .send('hello')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('greeting'))
      .send('I want to talk to a person')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
      .assertReply((event) => {
        sent.push(event);
      })
      .assertReply((reply) => {
        expect(templateOf(reply)?.template).toBe('handoff.position');
        expect(reply.text).toContain('number 1 in the queue');
      })
      .send('are you there?')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.stillWaiting'))
      .send('never mind')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.cancelled'))
      .send('hello')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('greeting'))
      .startTest();
    const [event] = sent;
    expect(event?.type).toBe('event');
    expect(event?.name).toBe('handoff.initiate');
    expect((event?.value as { trigger: string }).trigger).toBe('human_request');
    const [escalation] = await store.escalations.list({ statuses: ['abandoned'] }, 10);
    expect(escalation).toMatchObject({ trigger: 'human_request', pool: 'apprentice', disposition: 'cancelled_by_customer' });
    expect((event?.value as { escalationId: string }).escalationId).toBe(escalation?.id);
    const transcript = event?.attachments?.[0];
    // botbuilder 4.23 attaches the transcript as JSON named "Transcript" (not the vnd content type).
    expect(transcript).toMatchObject({ name: 'Transcript', contentType: 'application/json' });
    expect((transcript?.content as { activities: Activity[] }).activities.map((a) => a.text)).toEqual(expect.arrayContaining(['hello', 'I want to talk to a person']));

    // While people have the chat, the record says so rather than what Decide would have done.
    const turns = await store.turns.listByConversation(escalation!.conversationId, 20);
    const decisionOf = (text: string) => turns.find((turn) => turn.role === 'customer' && turn.text === text)?.decision?.action;
    expect(decisionOf('are you there?')).toBe('relayed_to_people');
    expect(decisionOf('never mind')).toBe('cancelled_wait');
    expect(decisionOf('hello')).toBe('small_talk');
    // Only the message written while waiting went to the desks, with the bot's answer to it.
    expect(relayed).toHaveLength(1);
    expect(relayed[0]?.escalationId).toBe(escalation!.id);
    expect(relayed[0]?.texts[0]).toBe('are you there?');
  });

  it('escalates a furious customer before the third failure', async () => {
    await adapter
      .send('THIS IS USELESS!!')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('offerPerson'))
      .send('ridiculous, nothing works!!')
      .assertReply((reply) => expect(templateOf(reply)).toEqual({ template: 'handoff.started', tone: 'empathetic' }))
      .startTest();
  });

  it('brings in a person when the customer types yes to the offer of one (no button on SMS)', async () => {
    await adapter
      .send('THIS IS USELESS!!')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('offerPerson'))
      .send('yes')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
      .startTest();
    const [escalation] = await store.escalations.list({ statuses: ['queued'] }, 5);
    expect(escalation?.trigger).toBe('human_request');
  });

  it('keeps trying when the customer declines the person, and forgets the offer after another message', async () => {
    await adapter
      .send('THIS IS USELESS!!')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('offerPerson'))
      .send('Keep trying with the bot')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('keepTrying'))
      .send('yes')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('noTaskInProgress'))
      .startTest();
    expect(await store.escalations.list({ statuses: ['queued'] }, 5)).toEqual([]);
  });

  it("does not count the customer's no to the person as a miss: the next miss alone does not hand them over", async () => {
    await adapter
      .send('THIS IS USELESS!!')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('offerPerson'))
      .send('Keep trying with the bot')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('keepTrying'))
      .send('purple elephants')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
      .startTest();
    expect(await store.escalations.list({ statuses: ['queued'] }, 5)).toEqual([]);
  });

  it('takes a "yes" the next day as a new message, not as a yes to the person offered the day before', async () => {
    await adapter
      .send('THIS IS USELESS!!')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('offerPerson'))
      .then(minutesPass(24 * 60))
      .send('yes')
      .assertReply((reply) => expect(templateOf(reply)?.template).not.toBe('handoff.started'))
      .startTest();
    expect(await store.escalations.list({ statuses: ['queued'] }, 5)).toEqual([]);
  });

  it('does not count an answer to the dialog question as a misunderstanding', async () => {
    await adapter
      .send("my card hasn't arrived")
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.askWhenOrdered'))
      .send('More than a week ago')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('cardArrival.offerReplacement'))
      .startTest();
    const turns = await store.turns.listByConversation(`${adapter.conversation.channelId}:${adapter.conversation.conversation.id}`, 10);
    const answer = turns.find((turn) => turn.text === 'More than a week ago');
    expect(answer?.frustration?.reasons.map((r) => r.name)).not.toContain('not_understood');
  });

  it('greets a customer who returns to a long-lived conversation a day later, misses and all', async () => {
    await adapter
      .send('hello')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('greeting'))
      .send('purple elephants')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
      .send('blue whales')
      .assertReply(() => undefined)
      // Teams, SMS and Telegram keep one conversation per customer: the next day is the same one.
      .then(minutesPass(24 * 60))
      .send('hello')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('greeting'))
      .send('orange kites')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
      .startTest();
    expect(await store.escalations.list({ statuses: ['queued', 'assigned'] }, 10)).toEqual([]);
  });

  it('still hands over a session that drags on without the bot understanding, counting the time', async () => {
    await adapter
      .send('purple elephants')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
      .then(minutesPass(20))
      .send('blue whales')
      .assertReply(() => undefined)
      .then(minutesPass(20))
      .send('green frogs')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
      .startTest();
    const [escalation] = await store.escalations.list({ statuses: ['queued'] }, 10);
    expect(escalation?.trigger).toBe('failed_turns');
    expect(escalation?.reasons.map((r) => r.name)).toContain('taking_long');
  });

  it('offers a person to a customer stuck at a question the dialog keeps asking again', async () => {
    await adapter
      .send('I was charged twice')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.askMerchant'))
      .send('Tesco')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.askAmount'))
      .send('no idea')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.amountRetry'))
      .send('dunno')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.amountRetry'))
      .send('not sure')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.amountRetry'))
      // The third answer it could not take: the failed-turns rule hands the chat to a person.
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
      .startTest();
    const [escalation] = await store.escalations.list({ statuses: ['queued'] }, 10);
    expect(escalation?.trigger).toBe('failed_turns');
    const turns = await store.turns.listByConversation(escalation!.conversationId, 20);
    const frustrationOf = (text: string) => turns.find((turn) => turn.role === 'customer' && turn.text === text)?.frustration?.reasons.map((r) => r.name);
    expect(frustrationOf('no idea')).toContain('not_understood');
    expect(frustrationOf('Tesco')).not.toContain('not_understood');
  });

  it('takes an answer the dialog accepts after retries as a fresh start, not a third failure', async () => {
    await adapter
      .send('I was charged twice')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.askMerchant'))
      .send('Tesco')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.askAmount'))
      .send('no idea')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.amountRetry'))
      .send('dunno')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.amountRetry'))
      .send('£40')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('dispute.askWhen'))
      .send('what?')
      .assertReply((reply) => expect(templateOf(reply)?.template).toBe('general.pickAnOption'))
      .startTest();
    expect(await store.escalations.list({ statuses: ['queued'] }, 10)).toEqual([]);
  });

  describe('when a handoff ends', () => {
    const missesUntilHandoff = () =>
      adapter
        .send('purple elephants')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
        .send('blue whales')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
        .send('green frogs')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
        .assertReply((event) => expect(event.name).toBe('handoff.initiate'))
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.position'));
    const activeEscalation = async () => (await store.escalations.list({ statuses: ['queued', 'assigned'] }, 10))[0]!;

    it('starts afresh after the customer calls off the wait: the next miss is answered, not queued again', async () => {
      await missesUntilHandoff()
        .send('never mind')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.cancelled'))
        .send('orange kites')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
        .startTest();
      expect(await store.escalations.list({ statuses: ['queued', 'assigned'] }, 10)).toEqual([]);
    });

    it('counts nothing the customer writes to an agent as a miss, and starts afresh once the agent resolves', async () => {
      await missesUntilHandoff()
        .then(async () => {
          const escalation = await activeEscalation();
          await store.escalations.transition(escalation.id, ['queued'], 'assigned', { agentId: 'agent-1', assignedAt: new Date() }, new Date());
        })
        .send('my card ends in 4321')
        .send('it was at the petrol station')
        .send('ok')
        .assertNoReply('the agent has the chat: the bot stays quiet', 50)
        .then(async () => {
          const escalation = await activeEscalation();
          await store.escalations.transition(escalation.id, ['assigned'], 'resolved', { endedAt: new Date(), disposition: 'solved' }, new Date());
        })
        .send('orange kites')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('fallback'))
        .startTest();
      const [resolved] = await store.escalations.list({ statuses: ['resolved'] }, 10);
      const turns = await store.turns.listByConversation(resolved!.conversationId, 50);
      const forAgent = turns.filter((turn) => turn.decision?.action === 'relayed_to_people');
      expect(forAgent.map((turn) => turn.text)).toEqual(['my card ends in 4321', 'it was at the petrol station', 'ok']);
      for (const turn of forAgent) expect(turn.frustration?.reasons.map((r) => r.name)).not.toContain('not_understood');
    });
  });

  it('records one document per message with what the bot made of it', async () => {
    await adapter.send('hello').assertReply(() => undefined).startTest();
    const conversationId = adapter.conversation.conversation.id;
    const turns = await store.turns.listByConversation(`${adapter.conversation.channelId}:${conversationId}`, 10);
    expect(turns.map((turn) => turn.role)).toEqual(['customer', 'bot']);
    expect(turns[0]?.understanding?.intent.intent).toBe('greeting');
    expect(turns[0]?.decision).toMatchObject({ action: 'small_talk', tone: 'neutral' });
    expect(turns[1]?.template).toBe('greeting');
  });

  it("resolves relative dates in the customer's calendar when the channel sends their local time", async () => {
    // 07:00 UTC on Saturday 15 March is 23:00 on Friday 14 March for a customer in Alaska (AKDT, UTC−8).
    now = Date.parse('2025-03-15T07:00:00Z');
    const dated = await startTestBot(content, { recognizer: keywordRecognizer(extractEntities), now: () => now });
    adapter = new TestAdapter((context) => dated.bot.run(context));
    const message = (text: string, local: Partial<Activity>): Partial<Activity> => ({ type: 'message', text, ...local });
    await adapter
      .send(message('my card was declined yesterday', { localTimestamp: '2025-03-14T23:00:00.000-08:00' as unknown as Date, localTimezone: 'America/Anchorage' }))
      .assertReply(() => undefined)
      .send(message('sorry, declined yesterday', { localTimezone: 'America/Anchorage' }))
      .assertReply(() => undefined)
      .send(message('declined yesterday, I said', {}))
      .assertReply(() => undefined)
      .startTest();
    const turns = await dated.store.turns.listByConversation(`${adapter.conversation.channelId}:${adapter.conversation.conversation.id}`, 10);
    await dated.close();
    const dates = turns.filter((turn) => turn.role === 'customer').map((turn) => turn.understanding?.entities.find((entity) => entity.kind === 'date')?.value);
    // Their offset, then their zone alone; without either, the server's calendar (on a UTC server, the 14th).
    const server = new Date(now);
    const serverYesterday = new Date(server.getFullYear(), server.getMonth(), server.getDate() - 1);
    const iso = (day: Date) => `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    expect(dates).toEqual(['2025-03-13', '2025-03-13', iso(serverYesterday)]);
  });

  it('acknowledges invokes it does not handle with 200 and no body, without running the message pipeline', async () => {
    const invoke = (name: string, value: unknown): Partial<Activity> => ({ type: 'invoke', name, value, text: 'I want to talk to a person', from: adapter.conversation.user, recipient: adapter.conversation.bot, conversation: adapter.conversation.conversation, channelId: 'msteams' });
    const answers: unknown[] = [];
    for (const [name, value] of [['task/fetch', {}], ['adaptiveCard/action', {}], ['signin/verifyState', { state: '1' }], ['made-up', null]] as const) {
      await adapter
        .send(invoke(name, value))
        .assertReply((reply) => {
          expect(reply.type).toBe('invokeResponse');
          answers.push(reply.value);
        })
        .startTest();
    }
    expect(answers).toEqual([{ status: 200 }, { status: 200 }, { status: 200 }, { status: 200 }]);
    // Nothing of the message pipeline ran: no conversation opened, no turn recorded, no handoff.
    const key = `msteams:${adapter.conversation.conversation.id}`;
    expect(await store.conversations.get(key)).toBeUndefined();
    expect(await store.turns.listByConversation(key, 10)).toEqual([]);
    expect(await store.escalations.list({ statuses: ['queued', 'assigned'] }, 10)).toEqual([]);
  });
});

describe('AttuneBot after business hours (TestAdapter)', () => {
  it('offers a call back or a reply, and notes the choice on the escalation', async () => {
    // Open only on a weekday two days from now: closed today, whatever the date.
    const closedDay = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][(new Date().getUTCDay() + 2) % 7]!;
    const closed = parseBusinessHours('09:00-10:00', closedDay, 'UTC');
    const { bot, store, close } = await startTestBot(await loadTestContent(), { businessHours: closed });
    const adapter = new TestAdapter((context) => bot.run(context));
    try {
      await adapter
        .send('I want to talk to a person')
        .assertReply((reply) => expect(templateOf(reply)?.template).toBe('handoff.started'))
        .assertReply((event) => expect(event.name).toBe('handoff.initiate'))
        .assertReply((reply) => {
          expect(templateOf(reply)?.template).toBe('handoff.afterHours');
          expect(reply.text).toContain(`back ${closedDay}`);
          expect(reply.suggestedActions?.actions.map((a) => a.title)).toEqual(['Call me back', 'Reply here']);
        })
        .send('Call me back')
        .assertReply((reply) => {
          expect(templateOf(reply)?.template).toBe('handoff.contactNoted');
          expect(reply.text).toContain('call you back');
        })
        .startTest();
      const [escalation] = await store.escalations.list({ statuses: ['queued'] }, 5);
      expect(escalation).toMatchObject({ afterHours: true, disposition: 'callback_requested' });
    } finally {
      await close();
    }
  });
});
