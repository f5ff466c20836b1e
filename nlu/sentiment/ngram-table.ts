/**
 * Character n-gram → feature index, looked up from the characters of a word without building the
 * n-gram as a string. A Map of 80,000 string keys costs several cache misses per lookup (its
 * table, its entry, the key's characters) and a string per n-gram; in a busy bot, where other
 * turns have evicted the model from the CPU caches, that made sentiment the slowest part of
 * understanding a message. Here each n-gram is identified by two independent 32-bit hashes (a
 * false match needs both to collide: about 1 in 2^64 per lookup), kept with its index in one
 * typed array, so a probe reads one cache line.
 */

/** Slot layout: [hash1, hash2, index + 1]; index + 1 = 0 marks an empty slot. */
const SLOT = 3;

/** FNV-1a over `text[start, end)`. */
function fnv1a(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A multiplicative hash with another constant and a shift, independent enough of FNV-1a. */
function murmurStep(text: string, start: number, end: number): number {
  let h = 0x9747b28c;
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h | 0;
}

export class NgramTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** @param ngrams the n-grams with their feature indices. */
  constructor(ngrams: ReadonlyMap<string, number>) {
    let size = 16;
    while (size < ngrams.size * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size * SLOT);
    for (const [ngram, index] of ngrams) {
      const h1 = fnv1a(ngram, 0, ngram.length);
      const h2 = murmurStep(ngram, 0, ngram.length);
      if (this.find(h1, h2) !== -1) throw new Error(`NgramTable: "${ngram}" has the same two hashes as another n-gram`);
      let at = h1 & this.mask;
      while (this.slots[at * SLOT + 2] !== 0) at = (at + 1) & this.mask;
      this.slots[at * SLOT] = h1;
      this.slots[at * SLOT + 1] = h2;
      this.slots[at * SLOT + 2] = index + 1;
    }
  }

  /** The feature index of the n-gram `text[start, end)`, or -1. */
  get(text: string, start: number, end: number): number {
    return this.find(fnv1a(text, start, end), murmurStep(text, start, end));
  }

  private find(h1: number, h2: number): number {
    let at = h1 & this.mask;
    for (;;) {
      const slot = at * SLOT;
      const index = this.slots[slot + 2];
      if (index === 0) return -1;
      if (this.slots[slot] === h1 && this.slots[slot + 1] === h2) return index - 1;
      at = (at + 1) & this.mask;
    }
  }
}
