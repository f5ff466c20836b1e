/**
 * The Context stage: who the customer is and where they are, read from the activity and the
 * stored profile. The profile (and whether they talked to us before) is looked up once per
 * conversation and remembered in conversation state, so later turns cost no extra read; whether
 * people are at work comes from the clock.
 */
import type { Activity } from 'botbuilder';
import { isOpen, type BusinessHours } from '../escalation/business-hours';
import type { Conversations, CustomerPreferences, CustomerProfile, CustomerProfiles, CustomerTier, TaskStepValue } from '../storage/ports';
import { channelProfile, type ChannelProfile } from './channel-profile';

/** What the pipeline keeps of a profile for the length of a conversation (no sensitive data). */
export interface CustomerSnapshot {
  readonly id: string;
  readonly firstName?: string;
  readonly tier: CustomerTier;
  readonly products: readonly string[];
  readonly useFirstName: boolean;
  readonly marketingConsent: boolean;
  /** How they like to be spoken to (stated, or learnt by progressive profiling). */
  readonly style?: CustomerPreferences['tone'];
  readonly contactChannel?: string;
  /** Open cases with their age in whole days when the conversation began (absent in old state). */
  readonly openCases?: readonly { readonly topic: string; readonly ageDays: number }[];
  /** The task they left half-way, possibly on another channel. */
  readonly unfinishedTask?: UnfinishedTaskSnapshot;
  /**
   * They had a conversation with us before this one, on any linked channel (false: first time;
   * absent in state saved before it was known).
   */
  readonly returning?: boolean;
}

/** An unfinished task as conversation state keeps it (JSON: no dates). */
export interface UnfinishedTaskSnapshot {
  readonly dialogId: string;
  readonly conversationId: string;
  readonly channelId: string;
  readonly steps: Readonly<Record<string, TaskStepValue>>;
}

export interface CustomerContext {
  /** `${channelId}:${conversationId}`, the ConversationRecord id. */
  readonly conversationKey: string;
  readonly channel: ChannelProfile;
  readonly locale: string;
  /** The customer's wall-clock hour (0–23) when the channel tells us their local time. */
  readonly localHour?: number;
  /** The customer's offset from UTC in minutes (−480 for UTC−8), from the channel's local time. */
  readonly utcOffsetMinutes?: number;
  /** The customer's IANA time zone, as the channel names it (`localTimezone`; not checked here). */
  readonly timezone?: string;
  /**
   * People are at work now: business hours in the team's timezone. Compared with `localHour`, it
   * tells e.g. a customer writing at 23:00 their time that the team opens in their morning.
   */
  readonly teamOpen: boolean;
  readonly device?: string;
  /** Known customer, or undefined for an anonymous visitor. */
  readonly customer?: CustomerSnapshot;
}

/** The part of conversation state the Context stage owns. */
export interface CustomerLookup {
  resolved: boolean;
  customer?: CustomerSnapshot;
}

export interface CustomerContextDependencies {
  readonly profiles: CustomerProfiles;
  readonly conversations: Conversations;
  readonly businessHours: BusinessHours;
  readonly defaultLocale: string;
  readonly now?: () => Date;
}

export class CustomerContextReader {
  private readonly now: () => Date;

  constructor(private readonly deps: CustomerContextDependencies) {
    if (!deps.profiles) throw new Error('[CustomerContextReader]: Missing parameter. profiles is required');
    if (!deps.conversations) throw new Error('[CustomerContextReader]: Missing parameter. conversations is required');
    if (!deps.businessHours) throw new Error('[CustomerContextReader]: Missing parameter. businessHours is required');
    this.now = deps.now ?? (() => new Date());
  }

  async read(activity: Partial<Activity>, lookup: CustomerLookup): Promise<CustomerContext> {
    const channelId = activity.channelId ?? 'unknown';
    const key = conversationKey(channelId, activity.conversation?.id ?? '');
    const now = this.now();
    if (!lookup.resolved && activity.from?.id) {
      const profile = await this.deps.profiles.findByIdentity({ channelId, userId: activity.from.id });
      lookup.customer = profile ? { ...snapshotOf(profile, now), returning: await this.hadConversationBefore(profile.id, key) } : undefined;
      lookup.resolved = true;
    }
    return {
      conversationKey: key,
      channel: channelProfile(channelId),
      locale: activity.locale ?? this.deps.defaultLocale,
      localHour: localHourOf(activity),
      utcOffsetMinutes: utcOffsetOf(activity),
      timezone: activity.localTimezone,
      teamOpen: isOpen(this.deps.businessHours, now),
      device: deviceOf(activity),
      customer: lookup.customer,
    };
  }

  /** Two records at most: this conversation's own (if already opened) and one before it. */
  private async hadConversationBefore(customerId: string, thisConversation: string): Promise<boolean> {
    const latest = await this.deps.conversations.listByCustomer(customerId, 2);
    return latest.some((conversation) => conversation.id !== thisConversation);
  }
}

export function conversationKey(channelId: string, conversationId: string): string {
  return `${channelId}:${conversationId}`;
}

/** Copies field by field: whatever else a stored profile holds never enters the pipeline. */
export function snapshotOf(profile: CustomerProfile, now: Date = new Date()): CustomerSnapshot {
  const task = profile.unfinishedTask;
  return {
    id: profile.id,
    firstName: profile.firstName,
    tier: profile.tier,
    products: [...profile.products],
    useFirstName: profile.preferences.useFirstName ?? true,
    marketingConsent: profile.consent.marketing,
    style: profile.preferences.tone,
    contactChannel: profile.preferences.contactChannel,
    openCases: (profile.openCases ?? []).map((c) => ({ topic: c.topic, ageDays: Math.max(0, Math.floor((now.getTime() - c.openedAt.getTime()) / DAY_MS)) })),
    unfinishedTask: task && { dialogId: task.dialogId, conversationId: task.conversationId, channelId: task.channelId, steps: { ...task.steps } },
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The offset-bearing timestamp the channel sent, as a string, or undefined. */
function rawLocalTimestampOf(activity: Partial<Activity>): string | undefined {
  // Only the JSON string keeps the customer's offset. /api/messages turns `localTimestamp` into a
  // Date, as botbuilder does, and keeps the string as `rawLocalTimestamp` (server/bot-adapter.ts
  // withDates); an activity that did not pass through it may still hold the string itself.
  const { rawLocalTimestamp } = activity as { rawLocalTimestamp?: unknown };
  const raw: unknown = rawLocalTimestamp ?? activity.localTimestamp;
  return typeof raw === 'string' ? raw : undefined;
}

/** Reads the hour from the offset-bearing timestamp the channel sent, not from our clock. */
function localHourOf(activity: Partial<Activity>): number | undefined {
  const raw = rawLocalTimestampOf(activity);
  const hour = raw === undefined ? undefined : /T(\d{2}):/.exec(raw)?.[1];
  return hour === undefined || Number(hour) > 23 ? undefined : Number(hour);
}

/** Real offsets run from UTC−12:00 to UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** The customer's UTC offset in minutes from the timestamp's `±hh:mm` (or `Z`: 0), when it has one. */
function utcOffsetOf(activity: Partial<Activity>): number | undefined {
  const raw = rawLocalTimestampOf(activity);
  const match = raw === undefined ? undefined : /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i.exec(raw);
  if (!match) return undefined;
  if (match[1] !== undefined) return 0;
  const minutes = Number(match[3]) * 60 + Number(match[4]);
  return Number(match[4]) > 59 || minutes > MAX_OFFSET_MINUTES ? undefined : (match[2] === '-' ? -minutes : minutes);
}

/** Web Chat and Direct Line clients describe themselves in a `clientInfo` entity. */
function deviceOf(activity: Partial<Activity>): string | undefined {
  const clientInfo = activity.entities?.find((entity) => entity.type === 'clientInfo') as { platform?: unknown } | undefined;
  return typeof clientInfo?.platform === 'string' ? clientInfo.platform.slice(0, 40) : undefined;
}
