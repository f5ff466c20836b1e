import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder holding attune's package.json, found from this file's location, so paths to
 * content and models work the same from sources (tests) and from dist/ (npm start).
 * Synchronous on purpose: it runs once at start, never per turn.
 */
export function findProjectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'attune') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`attune's package.json was not found above ${start}`);
    dir = parent;
  }
}
