/**
 * Applies the experiment guardrail in the background, once per interval across all instances:
 * every instance ticks, and only the one holding the guardrail lease (in the shared store) runs
 * the check. The holder renews the lease each tick; if it stops, another instance takes over once
 * the lease has expired. Nothing else stops variants: results requests only report.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import type { StorageLease } from '../storage/storage-lease';
import type { ExperimentService } from './experiment-service';

/** The lease's name in the store. */
export const GUARDRAIL_LEASE = 'experiment-guardrail';

/** A unique holder id for this process: host and pid for the logs, a UUID so a reused pid differs. */
export function leaseHolderId(): string {
  return `${process.env.HOSTNAME ?? 'attune'}:${process.pid}:${randomUUID()}`;
}

export interface GuardrailWatchDependencies {
  readonly experiments: Pick<ExperimentService, 'applyGuardrails'>;
  readonly lease: StorageLease;
  readonly logger: Logger;
  /** How often the guardrail runs (across all instances). */
  readonly intervalMs: number;
}

export class GuardrailWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;

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

  /** Stops ticking and waits for a check in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * One tick: applies the guardrail if this instance holds (or takes) the lease, unless a check of
   * its own is still running. Resolves whether it ran; failures are logged, never thrown.
   */
  tick(): Promise<boolean> {
    this.running ??= this.check().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async check(): Promise<boolean> {
    try {
      if (!(await this.deps.lease.acquire(this.deps.intervalMs))) return false;
      await this.deps.experiments.applyGuardrails();
      return true;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'experiment guardrail check failed');
      return false;
    }
  }
}
