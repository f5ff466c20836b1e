/**
 * The bot's first middleware: whatever runs after it (the bot, turn records, the optional LLM) sees
 * a customer's full card number masked, and the customer is told it was hidden.
 */
import path from 'node:path';
import pino from 'pino';
import { TestAdapter, type Activity } from 'botbuilder';
import { ContentLibrary } from '../../content/content-library';
import { TurnRecorder } from '../../bots/turn-recorder';
import { MaskCardNumbers } from '../../server/mask-card-numbers';
import type { TurnRecord, Turns } from '../../storage/ports';

describe('MaskCardNumbers middleware', () => {
  let content: ContentLibrary;
  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  /** One turn through the middleware to a bot that records it as AttuneBot does. */
  async function turn(text: string): Promise<{ seen: string | undefined; replies: Partial<Activity>[]; records: TurnRecord[] }> {
    let seen: string | undefined;
    const records: TurnRecord[] = [];
    const turns: Turns = { append: async (appended) => void records.push(...appended), listByConversation: async () => [], eraseCustomer: async () => 0 };
    const recorder = new TurnRecorder(turns);
    const adapter = new TestAdapter(async (context) => {
      seen = context.activity.text;
      const recording = recorder.begin(context, 'test:conversation', undefined);
      recording.customerSaid(context.activity.text ?? '', {});
      await context.sendActivity('bot reply');
      await recorder.flush(recording);
    });
    adapter.use(new MaskCardNumbers(content, pino({ level: 'silent' })));
    await adapter.send(text);
    return { seen, replies: adapter.activeQueue.splice(0), records };
  }

  it('masks the number before the bot sees it and tells the customer it was hidden, before the reply', async () => {
    const { seen, replies } = await turn('card 4539 1488 0343 6467 cvv 123 was declined');
    expect(seen).toBe('card **** **** **** 6467 cvv *** was declined');
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining('hidden the card number'), 'bot reply']);
    expect(JSON.stringify(replies)).not.toMatch(/4539|1488|0343/);
  });

  it("says in the customer's turn record how many card numbers and security codes were masked, never the digits", async () => {
    const { records } = await turn('card 4539 1488 0343 6467 cvv 123 was declined');
    const said = records.find((record) => record.role === 'customer');
    expect(said?.masked).toEqual({ cardNumbers: 1, securityCodes: 1 });
    expect(said?.text).toBe('card **** **** **** 6467 cvv *** was declined');
    expect(records.filter((record) => record.role === 'bot').map((record) => record.masked)).toEqual([undefined]);
    expect(JSON.stringify(records)).not.toMatch(/4539|1488|0343|cvv 123/);
  });

  it('changes nothing, says nothing more, and records nothing masked, for a message without one', async () => {
    const { seen, replies, records } = await turn('my card ending 6467 was declined');
    expect(seen).toBe('my card ending 6467 was declined');
    expect(replies.map((r) => r.text)).toEqual(['bot reply']);
    expect(records[0]).not.toHaveProperty('masked');
  });
});
