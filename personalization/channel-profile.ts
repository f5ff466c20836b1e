/**
 * What a channel can show. Replies are shaped by it: rich cards and buttons where they render,
 * short text with numbered options where they do not (SMS).
 */
export interface ChannelProfile {
  readonly id: string;
  readonly supportsSuggestedActions: boolean;
  readonly supportsCards: boolean;
  /** Longest text worth sending in one message on this channel. */
  readonly maxTextLength: number;
}

const RICH: Omit<ChannelProfile, 'id'> = { supportsSuggestedActions: true, supportsCards: true, maxTextLength: 2000 };

const PROFILES: Readonly<Record<string, Omit<ChannelProfile, 'id'>>> = {
  webchat: RICH,
  directline: RICH,
  emulator: RICH,
  test: RICH,
  msteams: { supportsSuggestedActions: true, supportsCards: true, maxTextLength: 2000 },
  facebook: { supportsSuggestedActions: true, supportsCards: true, maxTextLength: 640 },
  telegram: { supportsSuggestedActions: true, supportsCards: true, maxTextLength: 1000 },
  slack: { supportsSuggestedActions: false, supportsCards: true, maxTextLength: 1500 },
  sms: { supportsSuggestedActions: false, supportsCards: false, maxTextLength: 320 },
  acs_sms: { supportsSuggestedActions: false, supportsCards: false, maxTextLength: 320 },
  whatsapp: { supportsSuggestedActions: false, supportsCards: false, maxTextLength: 1000 },
};

/** Channels we do not know get plain text with numbered options: it reads well everywhere. */
const UNKNOWN: Omit<ChannelProfile, 'id'> = { supportsSuggestedActions: false, supportsCards: false, maxTextLength: 1000 };

export function channelProfile(channelId: string): ChannelProfile {
  return { id: channelId, ...(PROFILES[channelId] ?? UNKNOWN) };
}
