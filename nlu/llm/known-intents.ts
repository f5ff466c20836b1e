/** Every intent label attune knows: the list the LLM is allowed to choose from. */
import banking77Categories from '../data/banking77-categories.json';
import { CONVERSATIONAL_INTENTS, OUT_OF_SCOPE } from '../types';

/** The 77 BANKING77 intents, the conversational intents and `oos`, each once. */
export const KNOWN_INTENTS: readonly string[] = Object.freeze([
  ...new Set<string>([...banking77Categories, ...CONVERSATIONAL_INTENTS, OUT_OF_SCOPE]),
]);
