/**
 * Times every turn and counts how it ended, as botbuilder middleware (adapter.use): it wraps the
 * whole turn, replies and state write included, and sees a failure before onTurnError handles it.
 */
import type { Middleware, TurnContext } from 'botbuilder';
import { isAttuneError, rootError } from '../core/errors';
import type { AttuneMetrics } from './metrics';

/** The code counted for a turn that failed with an error that has none of attune's codes. */
export const TURN_FAILED_CODE = 'ATTUNE_TURN_FAILED';

export class TurnMetricsMiddleware implements Middleware {
  constructor(private readonly metrics: AttuneMetrics) {
    if (!metrics) throw new Error('[TurnMetricsMiddleware]: Missing parameter. metrics is required');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const started = process.hrtime.bigint();
    const channel = context.activity.channelId;
    try {
      await next();
    } catch (error) {
      this.metrics.turnEnded(channel, 'failed', elapsedSeconds(started));
      const cause = rootError(error);
      this.metrics.error(isAttuneError(cause) ? cause.code : TURN_FAILED_CODE);
      throw error; // onTurnError tells the customer and clears the broken state
    }
    this.metrics.turnEnded(channel, 'ok', elapsedSeconds(started));
  }
}

function elapsedSeconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
