/**
 * Whether a message has the shape of an answer to a question the bot asked (an offer, resume, a
 * preference): a few words, or exactly one of the question's longer button labels. A longer
 * message is the customer's next request, even when it opens with "ok" or "no" or names an option
 * in passing ("the app says my top up failed" is not "contact me in the app").
 */

/** "Not now", "yes please", "by email please": answers are short. */
export const MAX_ANSWER_WORDS = 3;

/**
 * True for a short message, or one that is exactly one of `labels` (case, spacing and end
 * punctuation aside): buttons longer than MAX_ANSWER_WORDS must still count when tapped.
 */
export function isAnswerShaped(text: string, labels: readonly string[] = []): boolean {
  const words = wordsOf(text);
  if (words.length <= MAX_ANSWER_WORDS) return true;
  const said = words.join(' ');
  return labels.some((label) => wordsOf(label).join(' ') === said);
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((word) => word.length > 0);
}
