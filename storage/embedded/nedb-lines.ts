/**
 * One document per line, in nedb's file format (JSON; a Date as `{"$$date": <ms>}`), so files the
 * embedded store writes itself read like the nedb files next to them, and the same code reads both.
 */

/** nedb's own serialiser (it also refuses keys nedb cannot store: `$…` and dotted names). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nedbModel = require('@seald-io/nedb/lib/model.js') as { serialize(doc: unknown): string; deserialize(line: string): unknown };

export function serializeLine(doc: unknown): string {
  return nedbModel.serialize(doc);
}

/** The document on the line, or undefined for a line that is not one (e.g. cut short by a crash). */
export function parseLine(line: string): unknown {
  try {
    return nedbModel.deserialize(line);
  } catch {
    return undefined;
  }
}
