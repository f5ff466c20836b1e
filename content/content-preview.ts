/**
 * "What would the customer see?": renders a template through the same ContentLibrary and channel
 * shaping the bot uses, for a chosen tone (or mood), channel, locale and customer profile. The
 * CLI's `preview` and the studio's chat bubble both come here.
 */
import type { Activity } from 'botbuilder';
import { channelProfile } from '../personalization/channel-profile';
import type { Tone } from '../personalization/tone';
import type { CustomerProfile } from '../storage/ports';
import type { ContentLibrary } from './content-library';

/** The moods a content person previews for, and the tone the bot answers them in (DESIGN.md §5). */
export const MOOD_TONES = { calm: 'neutral', frustrated: 'empathetic', anxious: 'reassuring', happy: 'warm' } as const satisfies Record<string, Tone>;
export type Mood = keyof typeof MOOD_TONES;

/** Realistic values for the variables the code passes, so a preview reads like a real reply. */
export const SAMPLE_DATA: Readonly<Record<string, unknown>> = {
  suggestions: ["My card hasn't arrived", 'Exchange rates', 'Talk to a person'],
  topic: 'mortgages',
  merchant: 'Tesco',
  cardEnding: '1234',
  minutes: 4,
  position: 2,
  opensAt: 'tomorrow at 08:00',
  agentName: 'Sam',
  contact: 'callback',
};

export interface PreviewRequest {
  readonly template: string;
  readonly tone: Tone;
  readonly channel: string;
  readonly locale?: string;
  readonly profile?: CustomerProfile;
  /** Overrides SAMPLE_DATA. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface Preview {
  readonly activity: Partial<Activity>;
  /** The tone actually rendered (a missing variant falls back to neutral). */
  readonly tone: Tone;
}

export function previewReply(content: ContentLibrary, request: PreviewRequest): Preview {
  // As bots/attune-bot.ts templateDataFor: the first name only for customers who like being named.
  const firstName = request.profile?.preferences.useFirstName ? request.profile.firstName : undefined;
  const activity = content.render({
    template: request.template,
    tone: request.tone,
    locale: request.locale,
    channel: channelProfile(request.channel),
    data: { ...SAMPLE_DATA, firstName, ...request.data },
  });
  const renderedTone = (activity.channelData as { attune?: { tone?: Tone } } | undefined)?.attune?.tone ?? request.tone;
  return { activity, tone: renderedTone };
}

/** The preview as the plain text a customer on a text channel reads, with buttons in brackets. */
export function previewAsText(preview: Preview): string {
  const buttons = preview.activity.suggestedActions?.actions.map((a) => `[${a.title ?? String(a.value)}]`).join(' ');
  return buttons ? `${preview.activity.text ?? ''}\n${buttons}` : (preview.activity.text ?? '');
}
