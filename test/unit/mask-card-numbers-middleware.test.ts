/**
 * The bot's first middleware: whatever runs after it (the bot, turn records, the optional LLM) sees
 * a customer's full card number masked, and the customer is told it was hidden.
 */
import path from 'node:path';
import pino from 'pino';
import { TestAdapter, type Activity } from 'botbuilder';
import { ContentLibrary } from '../../content/content-library';
import { MaskCardNumbers } from '../../server/mask-card-numbers';

describe('MaskCardNumbers middleware', () => {
  let content: ContentLibrary;
  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  async function turn(text: string): Promise<{ seen: string | undefined; replies: Partial<Activity>[] }> {
    let seen: string | undefined;
    const adapter = new TestAdapter(async (context) => {
      seen = context.activity.text;
      await context.sendActivity('bot reply');
    });
    adapter.use(new MaskCardNumbers(content, pino({ level: 'silent' })));
    await adapter.send(text);
    return { seen, replies: adapter.activeQueue.splice(0) };
  }

  it('masks the number before the bot sees it and tells the customer it was hidden, before the reply', async () => {
    const { seen, replies } = await turn('card 4539 1488 0343 6467 cvv 123 was declined');
    expect(seen).toBe('card **** **** **** 6467 cvv *** was declined');
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining('hidden the card number'), 'bot reply']);
    expect(JSON.stringify(replies)).not.toMatch(/4539|1488|0343/);
  });

  it('changes nothing, and says nothing more, for a message without one', async () => {
    const { seen, replies } = await turn('my card ending 6467 was declined');
    expect(seen).toBe('my card ending 6467 was declined');
    expect(replies.map((r) => r.text)).toEqual(['bot reply']);
  });
});
