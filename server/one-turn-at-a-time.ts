/**
 * Runs the turns of one conversation one after another. botbuilder reads a conversation's state at
 * the start of a turn and writes it whole at the end (eTag '*', bots/conversation-state.ts), so two
 * overlapping turns of one conversation — a customer sending two messages in quick succession on a
 * channel that does not wait for the bot's answer — would each write the state they read, and the
 * later write would undo the earlier turn's dialog step and frustration update.
 *
 * This orders turns within one process; two instances receiving one conversation's messages at
 * the same moment are not ordered (docs/operations.md, Scaling).
 */
export class OneTurnAtATime {
  /** The last turn queued per conversation; removed when it settles and nothing queued behind it. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `turn` once the conversation's earlier turns have settled; resolves or rejects as it does. */
  run<T>(conversationKey: string, turn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversationKey);
    const result = previous ? previous.then(turn, turn) : turn();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(conversationKey, tail);
    void tail.then(() => {
      if (this.tails.get(conversationKey) === tail) this.tails.delete(conversationKey);
    });
    return result;
  }

  /** Conversations with a turn running or waiting (for tests and metrics). */
  get busyConversations(): number {
    return this.tails.size;
  }
}
