/** Chooses the event bus like the agent queue: Redis when REDIS_URL is set, otherwise in-process. */
import { AttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';
import { RedisEventBus, type RedisEventBusOptions } from './redis-event-bus';

export async function createEventBus(redisUrl: string | undefined, prefix: string, logger?: Logger, options: RedisEventBusOptions = {}): Promise<EventBus> {
  if (redisUrl === undefined || redisUrl === '') return new InProcessEventBus(logger);
  try {
    return await RedisEventBus.connect(redisUrl, prefix, logger, options);
  } catch (error) {
    throw new AttuneError('ATTUNE_STORAGE_UNAVAILABLE', 'The event bus could not connect to Redis at REDIS_URL.', { cause: error });
  }
}
