/**
 * The bot's copy: `.lg` files (botbuilder-lg) per locale, one per dialog, each reply template with
 * a variant per tone (`<name>.<tone>`). Rendering picks the locale (falling back to the default),
 * the tone variant (falling back to `neutral`), and shapes the result for the channel.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ActivityFactory, ActivityTypes, type Activity, type CardAction } from 'botbuilder';
import { DiagnosticSeverity, Evaluator, Templates } from 'botbuilder-lg';
import { AttuneError } from '../core/errors';
import type { ChannelProfile } from '../personalization/channel-profile';
import type { Tone } from '../personalization/tone';

export interface RenderRequest {
  /** Template name without the tone suffix, e.g. `cardArrival.askWhen`. */
  readonly template: string;
  readonly tone: Tone;
  readonly locale?: string;
  readonly channel: ChannelProfile;
  /** Variables the template may use, e.g. `{ firstName }`. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Which template and tone a reply came from; stamped on the activity for records and tests. */
export interface RenderedFrom {
  readonly template: string;
  readonly tone: Tone;
}

type LocaleTemplates = ReadonlyMap<string, Templates>;

export class ContentLibrary {
  private readonly evaluators = new Map<Templates, Evaluator>();

  private constructor(
    private readonly locales: ReadonlyMap<string, LocaleTemplates>,
    private readonly defaultLocale: string,
  ) {
    if (!locales.has(defaultLocale)) {
      throw new AttuneError('ATTUNE_CONTENT_INVALID', `No content for the default locale "${defaultLocale}"`);
    }
  }

  /**
   * Loads every `<contentDir>/<locale>/*.lg` file.
   * @throws AttuneError ATTUNE_CONTENT_INVALID on a parse error or a template defined twice
   */
  static async load(contentDir: string, defaultLocale: string): Promise<ContentLibrary> {
    const entries = await fs.readdir(contentDir, { withFileTypes: true });
    const locales = new Map<string, LocaleTemplates>();
    for (const entry of entries.filter((e) => e.isDirectory())) {
      locales.set(entry.name.toLowerCase(), await loadLocale(path.join(contentDir, entry.name)));
    }
    return new ContentLibrary(locales, defaultLocale.toLowerCase());
  }

  /** Builds a library from in-memory files (`{ locale: { fileName: text } }`): previews and tests. */
  static fromText(files: Readonly<Record<string, Readonly<Record<string, string>>>>, defaultLocale: string): ContentLibrary {
    const locales = new Map<string, LocaleTemplates>();
    for (const [locale, localeFiles] of Object.entries(files)) {
      locales.set(locale.toLowerCase(), indexTemplates(Object.entries(localeFiles).map(([name, text]) => parseLg(text, name))));
    }
    return new ContentLibrary(locales, defaultLocale.toLowerCase());
  }

  /** True when the template exists (in any tone) for the locale or its fallbacks. */
  has(template: string, locale?: string): boolean {
    return this.lookup(template, 'neutral', locale) !== undefined;
  }

  /** Renders a message activity for the customer; see the class comment for fallbacks. */
  render(request: RenderRequest): Partial<Activity> {
    const found = this.lookup(request.template, request.tone, request.locale);
    if (!found) {
      throw new AttuneError('ATTUNE_CONTENT_TEMPLATE_MISSING', `No content template "${request.template}"`);
    }
    const evaluated: unknown = this.evaluate(found.templates, found.name, request.data ?? {});
    const activity = ActivityFactory.fromObject(evaluated as string | Record<string, unknown>);
    const renderedFrom: RenderedFrom = { template: request.template, tone: found.tone };
    activity.channelData = { ...activity.channelData, attune: renderedFrom };
    return shapeForChannel(activity, request.channel);
  }

  /** Renders to plain text (prompts, button labels). */
  text(request: RenderRequest): string {
    return this.render(request).text ?? '';
  }

  /**
   * `Templates.evaluate` builds a new evaluator per call, and that evaluator parses every `${…}`
   * expression again with ANTLR: most of a reply's cost. One evaluator per file with memoised
   * expression parses renders the same result several times faster. Evaluation is synchronous, so
   * reuse is safe; after an error the evaluator's stack may be left dirty, so it is replaced.
   */
  private evaluate(templates: Templates, name: string, data: Readonly<Record<string, unknown>>): unknown {
    let evaluator = this.evaluators.get(templates);
    if (!evaluator) {
      evaluator = memoisingEvaluator(templates);
      this.evaluators.set(templates, evaluator);
    }
    try {
      return evaluator.evaluateTemplate(name, data);
    } catch (error) {
      this.evaluators.delete(templates);
      throw error;
    }
  }

  private lookup(template: string, tone: Tone, locale?: string): { templates: Templates; name: string; tone: Tone } | undefined {
    for (const candidate of this.localeChain(locale)) {
      const templates = this.locales.get(candidate);
      if (!templates) continue;
      const toned = `${template}.${tone}`;
      const neutral = `${template}.neutral`;
      for (const [name, usedTone] of [[toned, tone], [neutral, 'neutral'], [template, tone]] as const) {
        const file = templates.get(name);
        if (file) return { templates: file, name, tone: usedTone };
      }
    }
    return undefined;
  }

  /** `en-GB` → `en-gb`, `en`, then the default locale. */
  private localeChain(locale?: string): string[] {
    const chain: string[] = [];
    if (locale) {
      const lower = locale.toLowerCase();
      chain.push(lower);
      const language = lower.split('-')[0];
      if (language && language !== lower) chain.push(language);
    }
    chain.push(this.defaultLocale);
    return chain;
  }
}

function memoisingEvaluator(templates: Templates): Evaluator {
  const evaluator = new Evaluator(templates, templates.lgOptions);
  const parser = evaluator.expressionParser;
  const parse = parser.parse.bind(parser);
  const parsed = new Map<string, ReturnType<typeof parse>>();
  parser.parse = (expression: string) => {
    let result = parsed.get(expression);
    if (!result) {
      result = parse(expression);
      parsed.set(expression, result);
    }
    return result;
  };
  return evaluator;
}

async function loadLocale(dir: string): Promise<LocaleTemplates> {
  const files = (await fs.readdir(dir)).filter((name) => name.endsWith('.lg')).sort();
  const parsed = await Promise.all(files.map(async (name) => parseLg(await fs.readFile(path.join(dir, name), 'utf8'), path.join(dir, name))));
  return indexTemplates(parsed);
}

function parseLg(text: string, id: string): Templates {
  const templates = Templates.parseText(text, id);
  const errors = templates.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  if (errors.length > 0) {
    throw new AttuneError('ATTUNE_CONTENT_INVALID', `Content file ${id} has errors:\n  ${errors.map(String).join('\n  ')}`);
  }
  return templates;
}

/** Maps every template name to the file that defines it; a name defined twice is an error. */
function indexTemplates(files: readonly Templates[]): LocaleTemplates {
  const index = new Map<string, Templates>();
  for (const file of files) {
    for (const template of file.toArray()) {
      const existing = index.get(template.name);
      if (existing && existing !== file) {
        throw new AttuneError('ATTUNE_CONTENT_INVALID', `Template "${template.name}" is defined in both ${existing.id} and ${file.id}`);
      }
      index.set(template.name, file);
    }
  }
  return index;
}

/**
 * Channels without buttons get the options as a numbered list in the text, and overlong text is
 * cut at a sentence boundary so SMS customers are not sent a wall of text.
 */
function shapeForChannel(activity: Partial<Activity>, channel: ChannelProfile): Partial<Activity> {
  if (activity.type !== ActivityTypes.Message) return activity;
  const actions: CardAction[] = activity.suggestedActions?.actions ?? [];
  let text = activity.text ?? '';
  if (!channel.supportsSuggestedActions && actions.length > 0) {
    text = `${text}\n${actions.map((action, i) => `${i + 1}. ${action.title ?? String(action.value)}`).join('\n')}`;
    activity = { ...activity, suggestedActions: undefined };
  }
  if (!channel.supportsCards && activity.attachments?.length) {
    activity = { ...activity, attachments: undefined };
  }
  return { ...activity, text: truncateAtSentence(text, channel.maxTextLength) };
}

function truncateAtSentence(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const lastStop = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('\n'));
  return lastStop > max / 2 ? cut.slice(0, lastStop + 1).trimEnd() : `${cut.slice(0, max - 1).trimEnd()}…`;
}
