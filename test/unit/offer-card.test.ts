import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import type { TurnInsight } from '../../dialogs/turn-insight';
import { channelProfile } from '../../personalization/channel-profile';
import { offerActivity } from '../../personalization/offers/offer-card';
import { OFFER_IDS } from '../../personalization/offers/offer-catalog';
import { TONES } from '../../personalization/tone';

const ROOT = path.resolve(__dirname, '..', '..');
const travelCard = { id: 'travel_card', reasons: ['asked_about_foreign_payments', 'product_not_held', 'marketing_consent'] } as const;

function insight(channelId: string, tone: TurnInsight['tone'] = 'neutral'): TurnInsight {
  return {
    tone,
    locale: 'en-GB',
    channel: channelProfile(channelId),
    understanding: { intent: { intent: 'exchange_rate', confidence: 0.9, alternatives: [] }, entities: [], sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } } },
    templateData: {},
  };
}

describe('the offer activity', () => {
  let content: ContentLibrary;
  beforeAll(async () => {
    content = await ContentLibrary.load(path.join(ROOT, 'content'), 'en');
  });

  it('carries channelData.offer and a hero card with the reason and accept / not now / why buttons', () => {
    const activity = offerActivity(content, insight('webchat'), travelCard);
    expect(activity.channelData).toMatchObject({ offer: { id: 'travel_card', reasons: [...travelCard.reasons] }, attune: { template: 'offer.travel_card', tone: 'neutral' } });
    expect(activity.text).toContain('no foreign-exchange fees');
    const card = activity.attachments?.[0]?.content as { title: string; text: string; buttons: { title: string; value: string }[] };
    expect(card.title).toBe('Travel Card: no foreign-exchange fees');
    expect(card.text).toBe('You asked about paying in other currencies');
    expect(card.buttons.map((b) => [b.title, b.value])).toEqual([
      ['Tell me more', 'Tell me more'],
      ['Not now', 'Not now'],
      ['Why am I seeing this?', 'Why am I seeing this?'],
    ]);
  });

  it('spells the replies out where the channel has no cards, and still carries channelData.offer', () => {
    const activity = offerActivity(content, insight('sms'), travelCard);
    expect(activity.attachments).toBeUndefined();
    expect(activity.text).toContain('"why am I seeing this?"');
    expect(activity.text).toContain('"stop offers"');
    expect((activity.channelData as { offer?: unknown }).offer).toEqual({ id: 'travel_card', reasons: [...travelCard.reasons] });
  });

  it('has copy for every offer in every tone, and follows the tone', () => {
    for (const id of OFFER_IDS) {
      for (const tone of TONES) {
        const activity = offerActivity(content, insight('webchat', tone), { id, reasons: ['marketing_consent'] });
        expect((activity.channelData as { attune: { template: string; tone: string } }).attune).toEqual({ template: `offer.${id}`, tone });
        expect(activity.text?.length).toBeGreaterThan(20);
      }
    }
    expect(offerActivity(content, insight('webchat', 'warm'), travelCard).text).not.toBe(offerActivity(content, insight('webchat', 'neutral'), travelCard).text);
  });
});
