import type { AppConfig } from '../../config/app-config';
import type { Logger } from '../../core/logger';
import { OpenAiIntentRefiner } from './openai-intent-refiner';

/**
 * Builds the LLM intent refiner from the `openai` configuration.
 * @param config `config.openai`; absent (no `OPENAI_API_KEY`) means no LLM
 * @param intents the labels the LLM may choose from (`KNOWN_INTENTS`); `oos` is always allowed
 * @returns the refiner, or `undefined` when no key is configured: the bot then runs on local models only
 */
export function createIntentRefiner(
  config: AppConfig['openai'],
  intents: readonly string[],
  logger: Logger,
): OpenAiIntentRefiner | undefined {
  if (!config) return undefined;
  return new OpenAiIntentRefiner({
    apiKey: config.apiKey,
    baseUrl: config.baseUrl,
    model: config.model,
    timeoutMs: config.timeoutMs,
    intents,
    logger,
  });
}
