/**
 * Turns a chosen offer into the activity the customer sees: the pitch in the turn's tone, a hero
 * card with the customer-facing reason and accept / not now / "why am I seeing this?" buttons
 * (plain text with the replies spelled out where a channel has no cards), and
 * `channelData.offer = { id, reasons }` so channels, tests and analytics can recognise it.
 */
import { ActionTypes, CardFactory, type Activity } from 'botbuilder';
import type { ContentLibrary } from '../../content/content-library';
import type { TurnInsight } from '../../dialogs/turn-insight';
import type { ShownOffer } from '../personal-memory';

/** What every offer activity carries in `channelData.offer`. */
export interface OfferChannelData {
  readonly id: string;
  readonly reasons: readonly string[];
}

export function offerActivity(content: ContentLibrary, insight: TurnInsight, offer: ShownOffer): Partial<Activity> {
  const request = { tone: insight.tone, locale: insight.locale, channel: insight.channel };
  const data = { ...insight.templateData, offer: offer.id, reasons: [...offer.reasons] };
  const pitch = content.render({ ...request, template: `offer.${offer.id}`, data });
  const channelData = { ...(pitch.channelData as object), offer: { id: offer.id, reasons: [...offer.reasons] } satisfies OfferChannelData };
  if (!insight.channel.supportsCards) {
    const replies = content.text({ ...request, template: 'offers.textChoices', data });
    return { ...pitch, text: `${pitch.text ?? ''}\n${replies}`, channelData };
  }
  const plain = (template: string, extra: Record<string, unknown> = {}) => content.text({ ...request, tone: 'neutral', template, data: { ...data, ...extra } });
  const [accept, notNow, why] = plain('offerChoices').split('|').map((label) => label.trim());
  const card = CardFactory.heroCard(
    plain('offerTitle'),
    capitalise(plain('offerReason', { reason: offer.reasons[0] })),
    undefined,
    [accept, notNow, why].map((label) => ({ type: ActionTypes.ImBack, title: label, value: label })),
  );
  return { ...pitch, attachments: [card], channelData };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
