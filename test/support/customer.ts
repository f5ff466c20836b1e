/**
 * A scripted customer: posts activities to a running bot's /api/messages the way a channel
 * would, and reads the bot's replies from the fake connector.
 */
import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { FakeConnector, RecordedActivity } from './fake-connector';

export interface CustomerIdentity {
  readonly userId: string;
  readonly channelId: string;
  readonly conversationId: string;
}

export class ScriptedCustomer {
  readonly identity: CustomerIdentity;

  constructor(
    private readonly botUrl: string,
    private readonly connector: FakeConnector,
    identity: Partial<CustomerIdentity> = {},
  ) {
    this.identity = { userId: `user-${randomUUID()}`, channelId: 'webchat', conversationId: `conv-${randomUUID()}`, ...identity };
  }

  get conversationId(): string {
    return this.identity.conversationId;
  }

  /** The same customer in the same conversation, talking to another bot process (restart, scale-out). */
  reconnect(botUrl: string): ScriptedCustomer {
    return new ScriptedCustomer(botUrl, this.connector, this.identity);
  }

  /** Sends a conversationUpdate saying this customer joined; resolves with the bot's replies. */
  async join(): Promise<RecordedActivity[]> {
    return this.post({ type: 'conversationUpdate', membersAdded: [{ id: this.identity.userId, name: 'Customer' }] });
  }

  /** Says something and waits for the replies to this message (at least `expected`). */
  async say(text: string, expected = 1): Promise<RecordedActivity[]> {
    return this.post({ type: 'message', text }, expected);
  }

  /** Posts an activity; resolves with the replies to it once the bot has answered the POST. */
  async post(partial: Partial<Activity>, expected = 1): Promise<RecordedActivity[]> {
    const id = `activity-${randomUUID()}`;
    const before = this.connector.activities(this.conversationId).length;
    const response = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        channelId: this.identity.channelId,
        serviceUrl: this.connector.url,
        conversation: { id: this.conversationId },
        from: { id: this.identity.userId, name: 'Customer', role: 'user' },
        recipient: { id: 'attune-bot', name: 'attune', role: 'bot' },
        locale: 'en-GB',
        timestamp: new Date().toISOString(),
        ...partial,
      }),
    });
    if (response.status >= 300) throw new Error(`POST /api/messages answered ${response.status}: ${await response.text()}`);
    const all = await this.connector.waitFor(this.conversationId, before + expected);
    return all.slice(before);
  }
}

/** The content template a reply was rendered from (stamped by the content library). */
export function templateOf(activity: RecordedActivity): string | undefined {
  return (activity.channelData as { attune?: { template?: string } } | undefined)?.attune?.template;
}
