/** The tones every reply template has a variant for (DESIGN.md §5). */
export const TONES = ['empathetic', 'reassuring', 'warm', 'neutral'] as const;

export type Tone = (typeof TONES)[number];

export function isTone(value: unknown): value is Tone {
  return typeof value === 'string' && (TONES as readonly string[]).includes(value);
}
