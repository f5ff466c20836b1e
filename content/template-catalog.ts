/**
 * The templates of a set of content files, grouped the way the studio shows them: by dialog
 * file, then by template with its tone variants side by side.
 */
import { TONES } from '../personalization/tone';
import { dialogOf, parseContentPath, type ContentFile } from './content-files';
import { parseLgText } from './parse-lg-text';

export interface TemplateVariantView {
  /** Full LG name, e.g. `greeting.warm` or `help.neutral.short`. */
  readonly name: string;
  readonly tone?: string;
  readonly short: boolean;
  readonly line: number;
  /** The LG body as written (`- Hi` lines, or a structured `[Activity …]`). */
  readonly body: string;
}

export interface TemplateView {
  /** Name without tone: what the code asks for. */
  readonly name: string;
  readonly variants: readonly TemplateVariantView[];
}

export interface FileView {
  readonly path: string;
  readonly locale: string;
  readonly dialog: string;
  readonly templates: readonly TemplateView[];
}

const VARIANT = new RegExp(`^(.+)\\.(${TONES.join('|')})(\\.short)?$`);

export function catalogTemplates(files: readonly ContentFile[]): FileView[] {
  return files.map((file) => {
    const templates = parseLgText(file.text, file.path);
    const byName = new Map<string, TemplateVariantView[]>();
    for (const template of templates.toArray()) {
      const match = VARIANT.exec(template.name);
      const base = match ? match[1] : template.name;
      const list = byName.get(base) ?? [];
      list.push({ name: template.name, tone: match?.[2], short: match?.[3] !== undefined, line: template.sourceRange.range.start.line, body: template.body.replace(/\n+$/, '') });
      byName.set(base, list);
    }
    return {
      path: file.path,
      locale: parseContentPath(file.path)?.locale ?? '',
      dialog: dialogOf(file.path),
      templates: [...byName].map(([name, variants]) => ({ name, variants })),
    };
  });
}
