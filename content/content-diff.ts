/**
 * A unified diff between two sets of content files, so every version shows what changed (and the
 * studio can show it). Content files are a few hundred lines; a plain LCS table is fast enough.
 */
import type { ContentFile } from './content-files';

/** Lines of context around each change. */
const CONTEXT = 2;

/** `--- a/en/general.lg` / `+++ b/en/general.lg` sections for every file that differs; '' if none. */
export function diffContent(before: readonly ContentFile[], after: readonly ContentFile[]): string {
  const old = new Map(before.map((f) => [f.path, f.text]));
  const next = new Map(after.map((f) => [f.path, f.text]));
  const paths = [...new Set([...old.keys(), ...next.keys()])].sort();
  const sections: string[] = [];
  for (const file of paths) {
    const a = old.get(file);
    const b = next.get(file);
    if (a === b) continue;
    const hunks = diffLines(splitLines(a ?? ''), splitLines(b ?? ''));
    sections.push([`--- ${a === undefined ? '/dev/null' : `a/${file}`}`, `+++ ${b === undefined ? '/dev/null' : `b/${file}`}`, ...hunks].join('\n'));
  }
  return sections.join('\n');
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

type Edit = { op: ' ' | '-' | '+'; line: string; oldNo: number; newNo: number };

function diffLines(a: readonly string[], b: readonly string[]): string[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) edits.push({ op: ' ', line: a[i], oldNo: i++, newNo: j++ });
    else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) edits.push({ op: '+', line: b[j], oldNo: i, newNo: j++ });
    else edits.push({ op: '-', line: a[i], oldNo: i++, newNo: j });
  }
  return hunks(edits);
}

/** Groups changes with CONTEXT lines around them into `@@ -l,s +l,s @@` hunks. */
function hunks(edits: readonly Edit[]): string[] {
  const out: string[] = [];
  let k = 0;
  while (k < edits.length) {
    const firstChange = edits.findIndex((e, index) => index >= k && e.op !== ' ');
    if (firstChange < 0) break;
    const start = Math.max(k, firstChange - CONTEXT);
    let end = firstChange;
    // Extend while the next change is close enough to share context.
    for (let index = firstChange; index < edits.length; index++) {
      if (edits[index].op !== ' ') end = index;
      else if (index - end > CONTEXT * 2) break;
    }
    const stop = Math.min(edits.length, end + CONTEXT + 1);
    const slice = edits.slice(start, stop);
    const oldCount = slice.filter((e) => e.op !== '+').length;
    const newCount = slice.filter((e) => e.op !== '-').length;
    out.push(`@@ -${slice[0].oldNo + 1},${oldCount} +${slice[0].newNo + 1},${newCount} @@`, ...slice.map((e) => `${e.op}${e.line}`));
    k = stop;
  }
  return out;
}
