/**
 * Content as data: the `.lg` files of every locale as `{ path: '<locale>/<file>.lg', text }`. The
 * same shape is read from the content folder, stored in a content version, and edited in the studio.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ContentFile } from '../storage/ports';

export type { ContentFile };

/** `en/general.lg`: a locale folder, then a file name; nothing else is content. */
const CONTENT_PATH = /^([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\/([\w.-]+\.lg)$/i;

/** Reads every `<dir>/<locale>/*.lg`, sorted by path so versions and diffs are stable. */
export async function readContentFiles(dir: string): Promise<ContentFile[]> {
  const files: ContentFile[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of await fs.readdir(path.join(dir, entry.name))) {
      if (!name.endsWith('.lg')) continue;
      files.push({ path: `${entry.name}/${name}`, text: await fs.readFile(path.join(dir, entry.name, name), 'utf8') });
    }
  }
  return sortFiles(files);
}

export function sortFiles(files: readonly ContentFile[]): ContentFile[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The locale and file name of a content path, or undefined when the path is not `<locale>/<name>.lg`. */
export function parseContentPath(filePath: string): { locale: string; fileName: string } | undefined {
  const match = CONTENT_PATH.exec(filePath);
  return match ? { locale: match[1].toLowerCase(), fileName: match[2] } : undefined;
}

/** The dialog a file holds copy for: `en/cardArrival.lg` → `cardArrival`. */
export function dialogOf(filePath: string): string {
  return path.basename(filePath, '.lg');
}
