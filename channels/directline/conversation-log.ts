/**
 * The activities of one Direct Line conversation, as the client reads them: every stored activity
 * has a watermark (1, 2, 3, …) and an id `<conversationId>|<watermark>`, as Azure numbers them.
 * Clients read "everything after watermark N" by polling or from the WebSocket stream, so a client
 * that lost its connection resumes without losing or repeating a message.
 *
 * Typing indicators are ephemeral, as on Azure: pushed to open streams, never stored, no watermark.
 *
 * Bounded: a conversation keeps its last `maxActivities` activities, and fewer when they would
 * hold more than `maxChars` characters of JSON (a client may post 4,000 characters of text and
 * 8 KB of structured data per activity: by count alone, 5,000 conversations could hold 5 GB); the
 * newest activity is always kept. A client asking for older ones gets what is kept. The log is in
 * this process's memory (see DirectLineConversations).
 */
import type { Activity } from 'botbuilder';

export interface ActivitySet {
  readonly activities: Partial<Activity>[];
  /** Absent on a set holding only ephemeral activities (typing). */
  readonly watermark?: string;
}

export type ActivitySetListener = (set: ActivitySet) => void;

export interface ConversationLogLimits {
  readonly maxActivities: number;
  /** The most characters of JSON the kept activities may hold together. */
  readonly maxChars: number;
}

export class ConversationLog {
  private readonly activities: Partial<Activity>[] = [];
  /** The JSON length of each kept activity, in the same order. */
  private readonly sizes: number[] = [];
  private keptChars = 0;
  private readonly listeners = new Set<ActivitySetListener>();
  private lastWatermark = 0;

  constructor(
    readonly conversationId: string,
    private readonly limits: ConversationLogLimits,
  ) {}

  /** Stores the activity (giving it an id, a timestamp and the next watermark) and pushes it to every stream. */
  append(activity: Partial<Activity>): Partial<Activity> {
    this.lastWatermark += 1;
    const stored: Partial<Activity> = {
      ...activity,
      id: `${this.conversationId}|${String(this.lastWatermark).padStart(7, '0')}`,
      timestamp: new Date(),
    };
    const size = JSON.stringify(stored).length;
    this.activities.push(stored);
    this.sizes.push(size);
    this.keptChars += size;
    let drop = 0;
    while (this.activities.length - drop > 1 && (this.activities.length - drop > this.limits.maxActivities || this.keptChars > this.limits.maxChars)) {
      this.keptChars -= this.sizes[drop]!;
      drop += 1;
    }
    if (drop > 0) {
      this.activities.splice(0, drop);
      this.sizes.splice(0, drop);
    }
    this.emit({ activities: [stored], watermark: String(this.lastWatermark) });
    return stored;
  }

  /** Pushes an activity to open streams without storing it (typing). */
  broadcast(activity: Partial<Activity>): void {
    this.emit({ activities: [{ ...activity, timestamp: new Date() }] });
  }

  /** Everything stored after `watermark` (all that is kept when absent or not a number). */
  after(watermark: string | undefined): Required<ActivitySet> {
    const from = parseWatermark(watermark);
    const firstKept = this.lastWatermark - this.activities.length + 1;
    const skip = Math.max(0, from - firstKept + 1);
    return { activities: this.activities.slice(skip), watermark: String(this.lastWatermark) };
  }

  /** Subscribes a stream; returns the unsubscribe function. */
  listen(listener: ActivitySetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  private emit(set: ActivitySet): void {
    for (const listener of this.listeners) listener(set);
  }
}

function parseWatermark(watermark: string | undefined): number {
  const value = Number(watermark);
  return watermark !== undefined && watermark !== '' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
