/**
 * Delivery of a bot activity by whichever other instance holds a built-in Direct Line
 * conversation, with a receipt: the request goes to every instance over the event bus (Redis
 * pub/sub), the holder delivers it and publishes a receipt with the activity's id, and the sender
 * waits for that receipt. No receipt within the timeout means no instance holds the conversation
 * (it ended, expired, or its instance stopped), so the sender can tell the agent the customer did
 * not get the message instead of reporting it delivered.
 *
 * Why a receipt rather than a registry of holders in Redis: a receipt is sent only after the
 * activity is in the customer's log, so "delivered" is never claimed on a stale entry (an instance
 * that crashed, a conversation that ended a moment ago), and there is no state to refresh or clean
 * up. The price: a conversation nobody holds costs the timeout before the answer, and a receipt
 * delayed past the timeout (Redis or the holder stalled for seconds) reports a delivered message
 * as not delivered. The agent may then send it again: a duplicate, never a loss.
 *
 * A request that cannot be published (Redis away) is not "no instance holds it": the holder may
 * be there, unreachable. The sender is told at once (ATTUNE_EVENT_BUS_UNAVAILABLE, a 503 for the
 * agent: try again) rather than after the timeout as a customer who left.
 */
import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { AttuneError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { EventBus, Unsubscribe } from '../../events/event-bus';
import type { DirectLineDeliveryRequest } from '../../events/topics';

/** Well above a pub/sub round trip (milliseconds), and room for a holder busy with a turn. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 3000;

/** Delivers into a conversation this instance holds: the activity's id, or undefined when it does not hold it. */
export type DeliverHere = (conversationId: string, activity: Partial<Activity>) => string | undefined;

export class DirectLineRelay {
  /** Senders waiting for a receipt, by request id. */
  private readonly waiting = new Map<string, (activityId: string | undefined) => void>();
  private unsubscribes: Unsubscribe[] = [];

  constructor(
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly receiptTimeoutMs = DEFAULT_RECEIPT_TIMEOUT_MS,
  ) {
    if (events.kind === 'in-process') throw new Error('[DirectLineRelay]: an in-process bus reaches no other instance; deliver locally only');
  }

  /** Starts delivering other instances' requests with `deliverHere`, and taking receipts for this one's. */
  async start(deliverHere: DeliverHere): Promise<void> {
    this.unsubscribes = await Promise.all([
      this.events.subscribe('directline', (request) => this.answer(request, deliverHere)),
      this.events.subscribe('directline-receipt', (receipt) => this.waiting.get(receipt.requestId)?.(receipt.activityId)),
    ]);
  }

  /**
   * Resolves with the id the holder gave the activity, or undefined when no instance delivered it in time.
   * @throws AttuneError ATTUNE_EVENT_BUS_UNAVAILABLE when the request could not be sent to the other instances
   */
  async send(conversationId: string, activity: Partial<Activity>): Promise<string | undefined> {
    const requestId = randomUUID();
    let settle!: (activityId: string | undefined) => void;
    // Waiting before publishing: a receipt can arrive before publish() returns.
    const receipt = new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => settle(undefined), this.receiptTimeoutMs);
      settle = (activityId) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(activityId);
      };
    });
    this.waiting.set(requestId, settle);
    let published = false;
    const publishing = this.events.publish('directline', { requestId, conversationId, activity: JSON.parse(JSON.stringify(activity)) as Record<string, unknown> }, { required: true }).then(() => {
      published = true;
    });
    publishing.catch(() => settle(undefined)); // no receipt will come: stop the timer and the wait
    // A failed publish ends the wait at once; a stalled one (Redis hanging) at the receipt timeout.
    await Promise.race([publishing, receipt]);
    const activityId = await receipt;
    if (activityId === undefined && !published) {
      throw new AttuneError('ATTUNE_EVENT_BUS_UNAVAILABLE', 'The event bus did not take the message for the instance holding this chat in time; it was not sent.');
    }
    if (activityId === undefined) this.logger.info({ conversation: `directline:${conversationId}`, activityType: activity.type }, 'direct line: no instance holds the conversation, activity not delivered');
    return activityId;
  }

  /** Stops relaying; senders still waiting learn their activity was not (known to be) delivered. */
  async close(): Promise<void> {
    await Promise.all(this.unsubscribes.map((unsubscribe) => unsubscribe()));
    this.unsubscribes = [];
    for (const settle of [...this.waiting.values()]) settle(undefined);
  }

  /** Every instance gets every request; only the holder delivers and answers. */
  private answer(request: DirectLineDeliveryRequest, deliverHere: DeliverHere): void {
    const activityId = deliverHere(request.conversationId, request.activity as Partial<Activity>);
    if (activityId === undefined) return;
    void this.events.publish('directline-receipt', { requestId: request.requestId, activityId });
  }
}
