/**
 * Applies the experiment guardrail in the background, once per interval across all instances:
 * every instance ticks, and only the one holding the guardrail lease (in the shared store) runs
 * the check. The lease is taken for two intervals and renewed at every tick of its holder, also
 * while a check is still running, so a check slower than the interval never overlaps another
 * instance's. A stopped watch hands the lease back; one that dies loses it once it has expired.
 * Nothing else stops variants: results requests only report.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import type { StorageLease } from '../storage/storage-lease';
import type { ExperimentService } from './experiment-service';

/** The lease's name in the store. */
export const GUARDRAIL_LEASE = 'experiment-guardrail';

/**
 * A unique holder id for this process: host and pid for the logs, a UUID so a reused pid differs.
 * @param hostName the machine or container this process runs on
 */
export function leaseHolderId(hostName: string): string {
  return `${hostName}:${process.pid}:${randomUUID()}`;
}

export interface GuardrailWatchDependencies {
  readonly experiments: Pick<ExperimentService, 'applyGuardrails'>;
  readonly lease: Pick<StorageLease, 'acquire' | 'release'>;
  readonly logger: Logger;
  /** How often the guardrail runs (across all instances). */
  readonly intervalMs: number;
}

export class GuardrailWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private renewing: Promise<void> | undefined;
  /** Whether the running check took the lease (only then do ticks during it renew the lease). */
  private checking = false;

  constructor(private readonly deps: GuardrailWatchDependencies) {
    if (!deps.experiments) throw new Error('[GuardrailWatch]: Missing parameter. experiments is required');
    if (!deps.lease) throw new Error('[GuardrailWatch]: Missing parameter. lease is required');
    if (!(deps.intervalMs > 0)) throw new Error('[GuardrailWatch]: intervalMs must be positive');
  }

  /** Ticks every interval until {@link stop}. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref(); // a forgotten stop must not keep the process alive
  }

  /** Stops ticking, waits for a check in progress, and hands the lease back for another instance. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.renewing;
    try {
      await this.deps.lease.release();
    } catch (error) {
      // It expires on its own; another instance just waits for that.
      this.deps.logger.warn({ err: error }, 'experiment guardrail lease not released');
    }
  }

  /**
   * One tick: applies the guardrail if this instance holds (or takes) the lease. While a check of
   * its own is still running it only renews the lease, and resolves with that check. Resolves
   * whether the check ran; failures are logged, never thrown.
   */
  tick(): Promise<boolean> {
    if (this.running) {
      if (this.checking) this.renewLease();
      return this.running;
    }
    this.running = this.check().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Two intervals: the holder renews it every interval, so one late tick does not lose it. */
  private get leaseMs(): number {
    return 2 * this.deps.intervalMs;
  }

  private async check(): Promise<boolean> {
    try {
      if (!(await this.deps.lease.acquire(this.leaseMs))) return false;
      this.checking = true;
      await this.deps.experiments.applyGuardrails();
      return true;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'experiment guardrail check failed');
      return false;
    } finally {
      this.checking = false;
    }
  }

  /** Renews the lease during a long check (one renewal at a time); failures are logged. */
  private renewLease(): void {
    this.renewing ??= this.deps.lease
      .acquire(this.leaseMs)
      .then(
        (held) => {
          if (!held) this.deps.logger.warn('experiment guardrail lease lost during a check');
        },
        (error: unknown) => this.deps.logger.error({ err: error }, 'experiment guardrail lease not renewed'),
      )
      .finally(() => {
        this.renewing = undefined;
      });
  }
}
