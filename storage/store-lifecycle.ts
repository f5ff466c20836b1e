import { AttuneError } from '../core/errors';

/**
 * Whether a store is still open, shared by all of its collections. After `close()` every call
 * fails with ATTUNE_STORAGE_UNAVAILABLE instead of quietly writing to a data directory whose lock
 * has been released (embedded) or reconnecting a client that was shut down (MongoDB).
 */
export class StoreLifecycle {
  private closed = false;

  constructor(private readonly description: string) {}

  get isClosed(): boolean {
    return this.closed;
  }

  markClosed(): void {
    this.closed = true;
  }

  /** Throws ATTUNE_STORAGE_UNAVAILABLE once the store has been closed. */
  assertOpen(): void {
    if (this.closed) throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', `The ${this.description} store is closed.`);
  }
}
