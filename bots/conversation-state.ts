/**
 * botbuilder's ConversationState without its change detection. BotState hashes the state three
 * times a turn (JSON + SHA-256 when loading, before saving and after saving) so that it can skip
 * writing unchanged state. attune changes its conversation state on every message (the frustration
 * meter keeps the previous message's words), so the hashes never skip a write; they cost about 4%
 * of a turn's CPU. Here, state loaded during a turn is simply written at its end.
 */
import { ConversationState, type StoreItem, type TurnContext } from 'botbuilder';

interface CachedState {
  state: StoreItem;
}

export class ConversationStateSavedEachTurn extends ConversationState {
  /** Where a turn keeps the state it loaded (BotState's own key is private to it). */
  private readonly cacheKey = Symbol('attune.conversationState');

  override async load(context: TurnContext, force = false): Promise<StoreItem> {
    const cached = this.cachedIn(context);
    if (cached && !force) return cached.state;
    const key = await this.storageKey(context);
    const items = await this.storage.read([key]);
    const state: StoreItem = items[key] ?? {};
    context.turnState.set(this.cacheKey, { state } satisfies CachedState);
    return state;
  }

  /** Writes the state this turn loaded (or cleared); with `force`, an empty state when none was. */
  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const cached = this.cachedIn(context) ?? (force ? { state: {} } : undefined);
    if (!cached) return;
    const key = await this.storageKey(context);
    cached.state.eTag = '*';
    await this.storage.write({ [key]: cached.state });
    context.turnState.set(this.cacheKey, cached);
  }

  override async clear(context: TurnContext): Promise<void> {
    context.turnState.set(this.cacheKey, { state: {} } satisfies CachedState);
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.cacheKey);
    await this.storage.delete([await this.storageKey(context)]);
  }

  override get(context: TurnContext): StoreItem | undefined {
    return this.cachedIn(context)?.state;
  }

  private cachedIn(context: TurnContext): CachedState | undefined {
    return context.turnState.get(this.cacheKey) as CachedState | undefined;
  }
}
