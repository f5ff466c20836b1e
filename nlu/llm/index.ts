/**
 * The optional LLM intent stage: asked only when the local classifier is unsure, and it falls back
 * to the local prediction on any problem, so attune works the same without an OpenAI key.
 */
export { createIntentRefiner } from './create-intent-refiner';
export { KNOWN_INTENTS } from './known-intents';
export {
  DEFAULT_CONSULT_BELOW,
  OpenAiIntentRefiner,
  type OpenAiIntentRefinerOptions,
  type Refinement,
  type RefinementReason,
} from './openai-intent-refiner';
