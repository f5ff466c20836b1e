/**
 * Every topic on the event bus and the shape of its messages. Messages cross processes as JSON,
 * so they hold only JSON values (dates as ISO strings). Each feature adds its own topic here.
 */
export interface EventTopics {
  /** Something changed on the agent desk: queue, an escalation's status, or its transcript. */
  desk: DeskEvent;
  /** A content version was published or restored: every instance reloads its content. */
  content: ContentEvent;
}

export type DeskEvent =
  | { readonly type: 'queue_changed'; readonly escalationId: string; readonly pool: 'apprentice' | 'expert' }
  | { readonly type: 'escalation_changed'; readonly escalationId: string; readonly status: string; readonly agentId?: string }
  | {
      readonly type: 'transcript_added';
      readonly escalationId: string;
      readonly role: 'customer' | 'bot' | 'agent' | 'note';
      readonly text: string;
      readonly at: string;
    };

export interface ContentEvent {
  readonly type: 'content_published';
  readonly versionId: string;
}
