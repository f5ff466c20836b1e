/**
 * The Context stage: who the customer is and where they are, read from the activity and the
 * stored profile. The profile is looked up once per conversation and remembered in
 * conversation state, so later turns cost no extra read.
 */
import type { Activity } from 'botbuilder';
import type { CustomerProfile, CustomerProfiles, CustomerTier } from '../storage/ports';
import { channelProfile, type ChannelProfile } from './channel-profile';

/** What the pipeline keeps of a profile for the length of a conversation (no sensitive data). */
export interface CustomerSnapshot {
  readonly id: string;
  readonly firstName?: string;
  readonly tier: CustomerTier;
  readonly products: readonly string[];
  readonly useFirstName: boolean;
  readonly marketingConsent: boolean;
}

export interface CustomerContext {
  /** `${channelId}:${conversationId}`, the ConversationRecord id. */
  readonly conversationKey: string;
  readonly channel: ChannelProfile;
  readonly locale: string;
  /** The customer's wall-clock hour (0–23) when the channel tells us their local time. */
  readonly localHour?: number;
  readonly timezone?: string;
  readonly device?: string;
  /** Known customer, or undefined for an anonymous visitor. */
  readonly customer?: CustomerSnapshot;
}

/** The part of conversation state the Context stage owns. */
export interface CustomerLookup {
  resolved: boolean;
  customer?: CustomerSnapshot;
}

export class CustomerContextReader {
  constructor(
    private readonly profiles: CustomerProfiles,
    private readonly defaultLocale: string,
  ) {
    if (!profiles) throw new Error('[CustomerContextReader]: Missing parameter. profiles is required');
  }

  async read(activity: Partial<Activity>, lookup: CustomerLookup): Promise<CustomerContext> {
    const channelId = activity.channelId ?? 'unknown';
    if (!lookup.resolved && activity.from?.id) {
      const profile = await this.profiles.findByIdentity({ channelId, userId: activity.from.id });
      lookup.customer = profile ? snapshotOf(profile) : undefined;
      lookup.resolved = true;
    }
    return {
      conversationKey: conversationKey(channelId, activity.conversation?.id ?? ''),
      channel: channelProfile(channelId),
      locale: activity.locale ?? this.defaultLocale,
      localHour: localHourOf(activity),
      timezone: activity.localTimezone,
      device: deviceOf(activity),
      customer: lookup.customer,
    };
  }
}

export function conversationKey(channelId: string, conversationId: string): string {
  return `${channelId}:${conversationId}`;
}

export function snapshotOf(profile: CustomerProfile): CustomerSnapshot {
  return {
    id: profile.id,
    firstName: profile.firstName,
    tier: profile.tier,
    products: profile.products,
    useFirstName: profile.preferences.useFirstName ?? true,
    marketingConsent: profile.consent.marketing,
  };
}

/** Reads the hour from the offset-bearing timestamp the channel sent, not from our clock. */
function localHourOf(activity: Partial<Activity>): number | undefined {
  // Arrives as the JSON string (with the customer's offset); typed as Date by botframework-schema.
  const raw: unknown = activity.localTimestamp;
  const hour = typeof raw === 'string' ? /T(\d{2}):/.exec(raw)?.[1] : undefined;
  return hour === undefined ? undefined : Number(hour);
}

/** Web Chat and Direct Line clients describe themselves in a `clientInfo` entity. */
function deviceOf(activity: Partial<Activity>): string | undefined {
  const clientInfo = activity.entities?.find((entity) => entity.type === 'clientInfo') as { platform?: unknown } | undefined;
  return typeof clientInfo?.platform === 'string' ? clientInfo.platform.slice(0, 40) : undefined;
}
