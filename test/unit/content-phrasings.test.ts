/**
 * The bot's most frequent replies (welcome, not understood, waiting for a person, thanks) rotate
 * between phrasings so it does not sound canned, while keeping what customers and other tests rely
 * on. A test that needs one exact phrasing seeds botbuilder-lg's choice (TestOptions.randomValue).
 */
import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { channelProfile } from '../../personalization/channel-profile';
import type { Tone } from '../../personalization/tone';

const RENDERS = 60;

describe('phrasings of frequent replies', () => {
  let content: ContentLibrary;
  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
  });

  const texts = (template: string, tone: Tone, data: Record<string, unknown> = {}) =>
    new Set(Array.from({ length: RENDERS }, () => content.render({ template, tone, channel: channelProfile('webchat'), data: { firstName: 'Ada', ...data } }).text ?? ''));

  it.each<[string, Tone, Record<string, unknown>]>([
    ['welcome', 'neutral', {}],
    ['welcome', 'warm', {}],
    ['fallback', 'neutral', { suggestions: ['Lost card'] }],
    ['thanks', 'neutral', {}],
    ['thanks', 'empathetic', {}],
    ['thanks', 'reassuring', {}],
    ['thanks', 'warm', {}],
    ['handoff.stillWaiting', 'neutral', {}],
    ['handoff.stillWaiting', 'empathetic', {}],
    ['handoff.stillWaiting', 'reassuring', {}],
    ['handoff.position', 'neutral', { position: 1, minutes: 4 }],
  ])('%s (%s) has more than one phrasing', (template, tone, data) => {
    expect(texts(template, tone, data).size).toBeGreaterThanOrEqual(2);
  });

  it('keeps what customers are told in every phrasing: who the bot is, their place in the queue', () => {
    for (const tone of ['neutral', 'warm'] as const) {
      for (const text of texts('welcome', tone)) expect(text).toMatch(/^Hi Ada, .*I'm the Attune Bank assistant/);
    }
    for (const text of texts('handoff.position', 'neutral', { position: 1, minutes: 4 })) expect(text).toMatch(/number 1 in the queue.*about 4 minutes/);
  });

  it('gives the first phrasing every time when the choice is seeded (for tests that pin text)', () => {
    const seeded = texts('thanks', 'neutral', { Conversation: { TestOptions: { randomValue: 0 } } });
    expect([...seeded]).toEqual(["You're welcome. Is there anything else I can help with?"]);
  });
});
