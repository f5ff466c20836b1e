/**
 * What a customer sees on each Bot Framework channel, per channel id, through the whole bot
 * (botbuilder's TestAdapter, keyword NLU, the real content): rich buttons or cards where the
 * channel shows them; plain short text with numbered options where it does not (SMS, WhatsApp,
 * channels we do not know), and a numbered answer works there. Plus cards in content, and locale
 * fallback (the bot answers in English when a customer's language has no content yet).
 */
import { TestAdapter, type Activity } from 'botbuilder';
import type { AttuneBot } from '../../bots/attune-bot';
import { ContentLibrary } from '../../content/content-library';
import { channelProfile } from '../../personalization/channel-profile';
import { loadTestContent, startTestBot, type TestBot } from '../support/test-bot';

type Shape = 'suggested actions' | 'card buttons' | 'numbered text';

/** How each channel shows the bot's options: welcome (content buttons) and a dialog's question (ChoicePrompt). */
const CHANNELS: ReadonlyArray<{ id: string; welcome: Shape; question: Shape; maxLength: number }> = [
  { id: 'directline', welcome: 'suggested actions', question: 'suggested actions', maxLength: 2000 },
  { id: 'webchat', welcome: 'suggested actions', question: 'suggested actions', maxLength: 2000 },
  { id: 'msteams', welcome: 'suggested actions', question: 'card buttons', maxLength: 2000 },
  { id: 'facebook', welcome: 'suggested actions', question: 'suggested actions', maxLength: 640 },
  { id: 'telegram', welcome: 'suggested actions', question: 'suggested actions', maxLength: 1000 },
  { id: 'slack', welcome: 'numbered text', question: 'card buttons', maxLength: 1500 },
  { id: 'sms', welcome: 'numbered text', question: 'numbered text', maxLength: 320 },
  { id: 'whatsapp', welcome: 'numbered text', question: 'numbered text', maxLength: 1000 },
  { id: 'some-new-channel', welcome: 'numbered text', question: 'numbered text', maxLength: 1000 },
];

const templateOf = (activity: Partial<Activity>) => (activity.channelData as { attune?: { template?: string } } | undefined)?.attune?.template;

function shapeOf(activity: Partial<Activity>): Shape | 'none' {
  if ((activity.suggestedActions?.actions.length ?? 0) > 0) return 'suggested actions';
  const card = activity.attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.hero');
  if (((card?.content as { buttons?: unknown[] } | undefined)?.buttons?.length ?? 0) > 0) return 'card buttons';
  if (/(^|\n|\()1[.)]\s/.test(activity.text ?? '')) return 'numbered text';
  return 'none';
}

describe('channel-aware rendering, per channel id', () => {
  let content: ContentLibrary;
  let testBot: TestBot;
  let bot: AttuneBot;

  beforeAll(async () => {
    content = await loadTestContent();
  });

  beforeEach(async () => {
    testBot = await startTestBot(content);
    bot = testBot.bot;
  });

  afterEach(async () => {
    await testBot.close();
  });

  const adapterFor = (channelId: string, locale = 'en-GB') =>
    new TestAdapter((context) => bot.run(context), { channelId, locale, conversation: { id: `conversation-on-${channelId}`, isGroup: false, conversationType: 'personal', name: '' } });

  it.each(CHANNELS)('$id: welcome as $welcome, a dialog question as $question, every reply within $maxLength characters', async (channel) => {
    const replies: Partial<Activity>[] = [];
    const keep = (reply: Partial<Activity>) => {
      replies.push(reply);
    };
    await adapterFor(channel.id)
      .send({ type: 'conversationUpdate', membersAdded: [{ id: 'customer', name: 'Customer' }], recipient: { id: 'bot', name: 'attune' } })
      .assertReply(keep)
      .send("my card hasn't arrived")
      .assertReply(keep)
      .startTest();
    const [welcome, question] = replies;
    expect(templateOf(welcome!)).toBe('welcome');
    expect(shapeOf(welcome!)).toBe(channel.welcome);
    expect(templateOf(question!)).toBe('cardArrival.askWhenOrdered');
    expect(shapeOf(question!)).toBe(channel.question);
    if (channel.welcome === 'numbered text') expect(welcome!.text).toContain("1. My card hasn't arrived");
    if (!channelProfile(channel.id).supportsCards) expect(replies.every((reply) => (reply.attachments ?? []).length === 0)).toBe(true);
    expect(replies.every((reply) => (reply.text ?? '').length <= channel.maxLength)).toBe(true);
  });

  it.each(['sms', 'whatsapp'])('%s: the customer answers a numbered question with its number', async (channelId) => {
    await adapterFor(channelId)
      .send("my card hasn't arrived")
      .assertReply((reply) => expect(reply.text).toMatch(/1\)? ?.*Less than a week ago.*2\)? ?.*More than a week ago/s))
      .send('2')
      .assertReply((reply) => expect(templateOf(reply)).toBe('cardArrival.offerReplacement'))
      .startTest();
  });

  it('answers in English (the default locale) when the customer\'s language has no content yet', async () => {
    await adapterFor('directline', 'fr-FR')
      .send("my card hasn't arrived")
      .assertReply((reply) => {
        expect(templateOf(reply)).toBe('cardArrival.askWhenOrdered');
        expect(reply.text).toMatch(/When did you order/);
      })
      .startTest();
  });
});

describe('cards and locales in content', () => {
  const library = ContentLibrary.fromText(
    {
      en: {
        'card.lg': [
          '# cardOffer.neutral',
          '[Activity',
          '    Text = A card that suits you.',
          '    Attachments = ${cardOfferHero()}',
          ']',
          '',
          '# cardOfferHero',
          '[HeroCard',
          '    title = Travel card',
          '    text = No fees abroad',
          '    buttons = Tell me more | Not now',
          ']',
          '',
          '# hello.neutral',
          '- Hello',
        ].join('\n'),
      },
      'en-gb': { 'card.lg': '# hello.neutral\n- Hiya' },
      fr: { 'card.lg': '# hello.neutral\n- Bonjour' },
    },
    'en',
  );

  it.each(['directline', 'webchat', 'msteams', 'facebook', 'slack', 'telegram'])('keeps a hero card on %s', (channelId) => {
    const reply = library.render({ template: 'cardOffer', tone: 'neutral', channel: channelProfile(channelId) });
    expect(reply.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
    expect((reply.attachments?.[0]?.content as { title?: string }).title).toBe('Travel card');
  });

  it.each(['sms', 'whatsapp', 'some-new-channel'])('sends the text without the card on %s', (channelId) => {
    const reply = library.render({ template: 'cardOffer', tone: 'neutral', channel: channelProfile(channelId) });
    expect(reply.attachments).toBeUndefined();
    expect(reply.text).toBe('A card that suits you.');
  });

  it.each([
    ['en-GB', 'Hiya'],
    ['EN-gb', 'Hiya'],
    ['en-US', 'Hello'],
    ['fr-CA', 'Bonjour'],
    ['de-DE', 'Hello'],
    [undefined, 'Hello'],
  ])('renders locale %s from the most specific content there is: %s', (locale, expected) => {
    expect(library.text({ template: 'hello', tone: 'neutral', channel: channelProfile('webchat'), locale })).toBe(expected);
  });
});
