/**
 * What a running process must stop, in the reverse order it was started: the HTTP server before
 * the queues it feeds, the queues before storage. One failing step is logged and the rest still
 * run (a Redis that is gone must not keep storage open); the first failure is rethrown at the end.
 */
import type { Logger } from './logger';

export class ShutdownStack {
  private readonly steps: Array<{ readonly name: string; readonly stop: () => Promise<void> }> = [];
  private running: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  push(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  /** Stops everything once; later calls wait for the same run. */
  run(): Promise<void> {
    this.running ??= this.stopAll();
    return this.running;
  }

  private async stopAll(): Promise<void> {
    let firstFailure: unknown;
    for (const { name, stop } of [...this.steps].reverse()) {
      try {
        await stop();
      } catch (error) {
        this.logger.error({ err: error, step: name }, 'shutdown step failed');
        firstFailure ??= error;
      }
    }
    if (firstFailure !== undefined) throw firstFailure;
  }
}
