/**
 * What a Direct Line client may post, validated at the edge (zod), and the activity the bot gets.
 * The server sets everything that says who and where (from, conversation, channel, serviceUrl,
 * id, timestamp); the client chooses only what it says. Unknown fields are dropped.
 */
import type { Activity, ChannelAccount } from 'botbuilder';
import { z } from 'zod';
import { AttuneError } from '../../core/errors';
import { DIRECT_LINE_SERVICE_URL } from './direct-line-connector';

/** The channel id activities of the built-in endpoint carry, as Azure's Direct Line sets it. */
export const DIRECT_LINE_CHANNEL_ID = 'directline';

const json = z.record(z.string(), z.unknown());

const clientActivitySchema = z.object({
  type: z.enum(['message', 'event', 'typing'], { error: () => 'type must be message, event or typing' }),
  text: z.string().max(4000, 'text is at most 4000 characters').optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  name: z.string().max(200).optional(),
  value: z.unknown().optional(),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/, 'locale must be a language tag such as en-GB').optional(),
  localTimestamp: z.string().max(40).optional(),
  localTimezone: z.string().max(64).optional(),
  channelData: json.optional(),
  entities: z.array(z.object({ type: z.string().max(100) }).catchall(z.unknown())).max(10).optional(),
  attachments: z.array(z.unknown()).max(0, 'attachments (uploads) are not supported').optional(),
});

export type ClientActivity = z.infer<typeof clientActivitySchema>;

/**
 * What the client may attach beyond its text (value, channelData, entities), in JSON characters.
 * Every accepted activity is kept in the conversation's log (100 per conversation, thousands of
 * conversations), so this, not the 256 KB body limit, bounds the log's memory.
 */
export const MAX_STRUCTURED_CHARS = 8 * 1024;

/** @throws AttuneError ATTUNE_REQUEST_INVALID with every problem named */
export function parseClientActivity(body: unknown): ClientActivity {
  const parsed = clientActivitySchema.safeParse(body);
  if (parsed.success) {
    const { value, channelData, entities } = parsed.data;
    const structured = JSON.stringify([value ?? null, channelData ?? null, entities ?? null]).length;
    if (structured > MAX_STRUCTURED_CHARS) {
      throw new AttuneError('ATTUNE_REQUEST_INVALID', `Invalid activity: value, channelData and entities together are at most ${MAX_STRUCTURED_CHARS} characters of JSON.`);
    }
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new AttuneError('ATTUNE_REQUEST_INVALID', `Invalid activity: ${problems.join('; ')}`);
}

export interface ActivityOrigin {
  readonly conversationId: string;
  readonly userId: string;
  readonly bot: ChannelAccount;
  /** The conversation's locale, for activities that name none. */
  readonly locale?: string;
}

/** The activity as the bot (and the conversation log) sees it. */
export function toBotActivity(activity: ClientActivity, origin: ActivityOrigin): Partial<Activity> {
  // `attachments` can only be empty (no uploads): it is dropped here.
  const { localTimestamp, attachments: _none, ...rest } = activity;
  return {
    ...rest,
    // botframework-schema types it as a Date; on the wire (and for CustomerContextReader) it is the string.
    ...(localTimestamp === undefined ? {} : { localTimestamp: localTimestamp as unknown as Date }),
    locale: activity.locale ?? origin.locale,
    channelId: DIRECT_LINE_CHANNEL_ID,
    serviceUrl: DIRECT_LINE_SERVICE_URL,
    conversation: { id: origin.conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: origin.userId, name: '', role: 'user' },
    recipient: origin.bot,
  };
}

/** The conversationUpdate the bot gets when a conversation starts: the bot and the customer joined. */
export function conversationStarted(origin: ActivityOrigin): Partial<Activity> {
  return {
    type: 'conversationUpdate',
    id: `${origin.conversationId}|start`,
    channelId: DIRECT_LINE_CHANNEL_ID,
    serviceUrl: DIRECT_LINE_SERVICE_URL,
    conversation: { id: origin.conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: origin.userId, name: '', role: 'user' },
    recipient: origin.bot,
    membersAdded: [origin.bot, { id: origin.userId, name: '' }],
    locale: origin.locale,
    timestamp: new Date(),
  };
}
