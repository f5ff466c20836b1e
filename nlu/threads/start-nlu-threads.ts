/**
 * Starts the NLU threads for the running bot: each message the main thread answers is counted,
 * and thread faults are logged (at most one line per interval, with how many were not logged);
 * threads lost and back are always logged.
 * Threads that cannot start leave NLU on the main thread: the bot starts all the same.
 */
import type { Logger } from '../../core/logger';
import type { Recognizer } from '../recognizer';
import { ThreadedRecognizer, type MainThreadReason } from './threaded-recognizer';

export interface NluThreadSettings {
  readonly threads: number;
  readonly modelDir: string;
  readonly local: Recognizer;
  readonly logger: Logger;
  readonly countMainThread: (reason: MainThreadReason) => void;
}

const LOG_INTERVAL_MS = 10_000;

export async function startNluThreads(settings: NluThreadSettings): Promise<ThreadedRecognizer | undefined> {
  let lastLogged = -Infinity;
  let unlogged = 0;
  const started = ThreadedRecognizer.start({
    threads: settings.threads,
    modelDir: settings.modelDir,
    local: settings.local,
    onMainThread: (reason, error) => {
      settings.countMainThread(reason);
      if (reason === 'busy') return;
      const now = Date.now();
      if (now - lastLogged < LOG_INTERVAL_MS) {
        unlogged += 1;
        return;
      }
      settings.logger.warn({ err: error, reason, notLoggedSince: unlogged }, 'an NLU thread did not answer; the main thread did');
      lastLogged = now;
      unlogged = 0;
    },
    onThreadsEvent: (event) => {
      if (event.kind === 'back') settings.logger.info({ threads: settings.threads }, 'NLU threads are back');
      else settings.logger.error({ err: event.error, retryInMs: event.retryInMs }, 'NLU threads lost; NLU runs on the main thread until new ones start');
    },
  });
  try {
    const recognizer = await started;
    settings.logger.info({ threads: settings.threads }, 'NLU threads started');
    return recognizer;
  } catch (error) {
    settings.logger.warn({ err: error }, 'NLU threads could not start; NLU runs on the main thread');
    return undefined;
  }
}
