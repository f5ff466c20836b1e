/**
 * A named lease in the store, so that of several instances sharing a store only one does a
 * periodic job in each interval (e.g. the experiment guardrail). It is kept as one item of the
 * store's botbuilder `Storage` (`bot_state`, under `attune/leases/<name>`), whose eTag
 * compare-and-set every adapter implements (storage/README.md, bot state): of two instances that
 * read the same lease and write it back, exactly one write succeeds, and of two that create it,
 * exactly one insert does. No Redis is needed, so it works the same embedded, on MongoDB, and in
 * memory; expiry compares wall clocks, which the instances are assumed to keep in sync (NTP).
 */
import type { Storage, StoreItem } from 'botbuilder';
import { isAttuneError } from '../core/errors';

interface LeaseItem extends StoreItem {
  readonly holder: string;
  /** Epoch milliseconds at which the lease is free again. */
  readonly until: number;
}

/** The eTag written when the lease does not exist yet: it matches no stored item, so the write inserts. */
const NEW_LEASE = 'attune-lease-new';

export class StorageLease {
  private readonly key: string;

  /**
   * @param name what the lease is for (one lease per name across all instances)
   * @param holder this instance (unique per process)
   */
  constructor(
    private readonly storage: Storage,
    name: string,
    readonly holder: string,
  ) {
    if (!storage) throw new Error('[StorageLease]: Missing parameter. storage is required');
    this.key = `attune/leases/${name}`;
  }

  /**
   * Takes the lease until `now + ttlMs` when it is free, expired, or already this holder's.
   * Resolves whether this holder has it; a lost race resolves false, storage failures reject.
   */
  async acquire(ttlMs: number, now = Date.now()): Promise<boolean> {
    const current = (await this.storage.read([this.key]))[this.key] as LeaseItem | undefined;
    if (current && current.holder !== this.holder && current.until > now) return false;
    return this.writeIfUnchanged({ holder: this.holder, until: now + ttlMs, eTag: current?.eTag ?? NEW_LEASE });
  }

  /**
   * Frees the lease at once if this holder still has it, so another holder need not wait for it to
   * expire (a clean shutdown). It is written back expired with the same compare-and-set as
   * {@link acquire}, so a holder that took it over in the meantime keeps it. Resolves whether this
   * holder released it; storage failures reject.
   */
  async release(): Promise<boolean> {
    const current = (await this.storage.read([this.key]))[this.key] as LeaseItem | undefined;
    if (current?.holder !== this.holder) return false;
    return this.writeIfUnchanged({ holder: this.holder, until: 0, eTag: current.eTag });
  }

  /** Writes the lease if it is still as read (its eTag); resolves false when someone wrote it since. */
  private async writeIfUnchanged(lease: LeaseItem): Promise<boolean> {
    try {
      await this.storage.write({ [this.key]: lease });
      return true;
    } catch (error) {
      if (isAttuneError(error, 'ATTUNE_STORAGE_CONFLICT')) return false;
      throw error;
    }
  }
}
