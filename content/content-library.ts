/**
 * The bot's copy: `.lg` files (botbuilder-lg) per locale, one per dialog, each reply template with
 * a variant per tone (`<name>.<tone>`). Rendering picks the locale (falling back to the default),
 * the tone variant (falling back to `neutral`), applies a running experiment's variant, and shapes
 * the result for the channel.
 *
 * A library is also the live holder the bot reads through: `replaceWith` swaps in a published
 * version's content, and every render after that uses it, with no restart and no new objects for
 * the dialogs that hold the library.
 */
import path from 'node:path';
import { ActivityFactory, ActivityTypes, type Activity, type CardAction } from 'botbuilder';
import { DiagnosticSeverity, Evaluator, Templates } from 'botbuilder-lg';
import { AttuneError } from '../core/errors';
import type { ChannelProfile } from '../personalization/channel-profile';
import { isTone, type Tone } from '../personalization/tone';
import { parseContentPath, readContentFiles, type ContentFile } from './content-files';
import { parseLgText } from './parse-lg-text';

/** Whom a reply is for, so an experiment can assign a variant that sticks to them. */
export interface RenderAudience {
  /** Sticky key: the customer id when known, else the conversation id. */
  readonly key: string;
  /** The ConversationRecord id (exposures are counted per conversation). */
  readonly conversationId: string;
}

export interface RenderRequest {
  /** Template name without the tone suffix, e.g. `cardArrival.askWhen`. */
  readonly template: string;
  readonly tone: Tone;
  readonly locale?: string;
  readonly channel: ChannelProfile;
  /** Variables the template may use, e.g. `{ firstName }`. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Without an audience no experiment applies (previews, staff-triggered messages). */
  readonly audience?: RenderAudience;
}

/** Which template and tone a reply came from; stamped on the activity for records and tests. */
export interface RenderedFrom {
  readonly template: string;
  readonly tone: Tone;
  /** Set when a running experiment chose the variant. */
  readonly experiment?: { readonly id: string; readonly variant: string };
}

/** A running experiment's variant of a template, chosen for one audience. */
export interface TemplateVariantChoice {
  readonly experimentId: string;
  readonly variantId: string;
  /** LG body replacing the template's (its lines as in a `.lg` file: `- Hello`). */
  readonly text?: string;
  readonly tone?: string;
}

/** What the library asks the experiments about (implemented in experiments/); must be synchronous. */
export interface TemplateExperiments {
  /** The variant for this audience if a running experiment covers the template; records the exposure. */
  choose(template: string, audience: RenderAudience): TemplateVariantChoice | undefined;
}

type LocaleTemplates = ReadonlyMap<string, Templates>;

/** One immutable set of parsed files, with its evaluators: what a content version renders from. */
class ContentSnapshot {
  private readonly evaluators = new Map<Templates, Evaluator>();
  /** Experiment variants parsed into their file's context, by file and variant body. */
  private readonly variantFiles = new Map<Templates, Map<string, Templates | null>>();

  constructor(
    readonly locales: ReadonlyMap<string, LocaleTemplates>,
    readonly defaultLocale: string,
  ) {
    if (!locales.has(defaultLocale)) {
      throw new AttuneError('ATTUNE_CONTENT_INVALID', `No content for the default locale "${defaultLocale}"`);
    }
  }

  /**
   * `Templates.evaluate` builds a new evaluator per call, and that evaluator parses every `${…}`
   * expression again with ANTLR: most of a reply's cost. One evaluator per file with memoised
   * expression parses renders the same result several times faster. Evaluation is synchronous, so
   * reuse is safe; after an error the evaluator's stack may be left dirty, so it is replaced.
   */
  evaluate(templates: Templates, name: string, data: Readonly<Record<string, unknown>>): unknown {
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

  /**
   * A variant's body is parsed as one more template of the file it replaces, so it may call the
   * same helpers (`${helloName()}`). Parsed once per file and body; a body that does not parse
   * yields undefined and the original copy is used (experiments are validated when created).
   */
  variantFile(file: Templates, body: string): Templates | undefined {
    let byBody = this.variantFiles.get(file);
    if (!byBody) {
      byBody = new Map();
      this.variantFiles.set(file, byBody);
    }
    if (!byBody.has(body)) {
      const parsed = parseLgText(`${file.content}\n\n# ${VARIANT_TEMPLATE}\n${body}\n`, file.id);
      const ok = !parsed.diagnostics.some((d) => d.severity === DiagnosticSeverity.Error);
      byBody.set(body, ok ? parsed : null);
    }
    return byBody.get(body) ?? undefined;
  }

  /** On short channels (SMS) a `<name>.<tone>.short` variant wins over the full one, which would be cut. */
  lookup(template: string, tone: Tone, locale?: string, short = false): { templates: Templates; name: string; tone: Tone } | undefined {
    for (const candidate of localeChain(locale, this.defaultLocale)) {
      const templates = this.locales.get(candidate);
      if (!templates) continue;
      const toned = `${template}.${tone}`;
      const neutral = `${template}.neutral`;
      const names: [string, Tone][] = short
        ? [[`${toned}.short`, tone], [toned, tone], [`${neutral}.short`, 'neutral'], [neutral, 'neutral'], [template, tone]]
        : [[toned, tone], [neutral, 'neutral'], [template, tone]];
      for (const [name, usedTone] of names) {
        const file = templates.get(name);
        if (file) return { templates: file, name, tone: usedTone };
      }
    }
    return undefined;
  }
}

/** Channels this short (SMS) get `.short` variants where the copy has them. */
const SHORT_TEXT_LENGTH = 320;

/** The name an experiment variant's body gets inside its file. */
const VARIANT_TEMPLATE = '__attune_experiment_variant';

export class ContentLibrary {
  private snapshot: ContentSnapshot;
  private experiments: TemplateExperiments | undefined;

  private constructor(snapshot: ContentSnapshot) {
    this.snapshot = snapshot;
  }

  /**
   * Loads every `<contentDir>/<locale>/*.lg` file.
   * @throws AttuneError ATTUNE_CONTENT_INVALID on a parse error or a template defined twice
   */
  static async load(contentDir: string, defaultLocale: string): Promise<ContentLibrary> {
    return ContentLibrary.fromFiles(await readContentFiles(contentDir), defaultLocale, contentDir);
  }

  /** Builds a library from in-memory files (`{ locale: { fileName: text } }`): previews and tests. */
  static fromText(files: Readonly<Record<string, Readonly<Record<string, string>>>>, defaultLocale: string): ContentLibrary {
    const locales = new Map<string, LocaleTemplates>();
    for (const [locale, localeFiles] of Object.entries(files)) {
      locales.set(locale.toLowerCase(), indexTemplates(Object.entries(localeFiles).map(([name, text]) => parseLg(text, name))));
    }
    return new ContentLibrary(new ContentSnapshot(locales, defaultLocale.toLowerCase()));
  }

  /**
   * Builds a library from content files (`en/general.lg`): a stored content version or the folder.
   * @param base prefix for file ids in messages (the content folder), so errors name a real path
   * @throws AttuneError ATTUNE_CONTENT_INVALID on a parse error, a template defined twice, or a bad path
   */
  static fromFiles(files: readonly ContentFile[], defaultLocale: string, base?: string): ContentLibrary {
    const byLocale = new Map<string, Templates[]>();
    for (const file of files) {
      const parsed = parseContentPath(file.path);
      if (!parsed) throw new AttuneError('ATTUNE_CONTENT_INVALID', `"${file.path}" is not a content path (<locale>/<name>.lg)`);
      const list = byLocale.get(parsed.locale) ?? [];
      list.push(parseLg(file.text, base ? path.join(base, file.path) : file.path));
      byLocale.set(parsed.locale, list);
    }
    const locales = new Map<string, LocaleTemplates>();
    for (const [locale, templates] of byLocale) locales.set(locale, indexTemplates(templates));
    return new ContentLibrary(new ContentSnapshot(locales, defaultLocale.toLowerCase()));
  }

  /** From now on renders use `next`'s content (a newly published version); in-flight renders finish on the old. */
  replaceWith(next: ContentLibrary): void {
    this.snapshot = next.snapshot;
  }

  /** Lets running experiments choose template variants (see TemplateExperiments). */
  useExperiments(experiments: TemplateExperiments | undefined): void {
    this.experiments = experiments;
  }

  /**
   * Why an experiment variant's LG body would not render for the template (empty: it would): it
   * must parse in the template's file and render with `sampleData` (an expression such as
   * `${div(1, 0)}` parses but throws on every render).
   */
  variantProblems(template: string, body: string, sampleData: Readonly<Record<string, unknown>>): string[] {
    const found = this.snapshot.lookup(template, 'neutral');
    if (!found) return [`No content template "${template}"`];
    const parsed = parseLgText(`${found.templates.content}\n\n# ${VARIANT_TEMPLATE}\n${body}\n`, found.templates.id);
    const errors = parsed.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.message);
    if (errors.length > 0) return errors;
    try {
      parsed.evaluate(VARIANT_TEMPLATE, sampleData);
      return [];
    } catch (error) {
      return [`it fails to render: ${error instanceof Error ? error.message : String(error)}`];
    }
  }

  /** True when the template exists (in any tone) for the locale or its fallbacks. */
  has(template: string, locale?: string): boolean {
    return this.snapshot.lookup(template, 'neutral', locale) !== undefined;
  }

  /** Renders a message activity for the customer; see the module comment for fallbacks. */
  render(request: RenderRequest): Partial<Activity> {
    const snapshot = this.snapshot;
    const choice = request.audience ? this.experiments?.choose(request.template, request.audience) : undefined;
    const tone = choice?.tone !== undefined && isTone(choice.tone) ? choice.tone : request.tone;
    const found = snapshot.lookup(request.template, tone, request.locale, request.channel.maxTextLength <= SHORT_TEXT_LENGTH);
    if (!found) {
      throw new AttuneError('ATTUNE_CONTENT_TEMPLATE_MISSING', `No content template "${request.template}"`);
    }
    const variant = choice?.text !== undefined ? this.renderVariant(snapshot, found.templates, choice.text, request.data ?? {}) : undefined;
    const evaluated: unknown = variant ?? snapshot.evaluate(found.templates, found.name, request.data ?? {});
    const activity = ActivityFactory.fromObject(evaluated as string | Record<string, unknown>);
    // A variant that could not render is not stamped: the customer saw today's copy.
    const shownVariant = choice && (choice.text === undefined || variant !== undefined);
    const renderedFrom: RenderedFrom = shownVariant
      ? { template: request.template, tone: found.tone, experiment: { id: choice.experimentId, variant: choice.variantId } }
      : { template: request.template, tone: found.tone };
    activity.channelData = { ...activity.channelData, attune: renderedFrom };
    return shapeForChannel(activity, request.channel);
  }

  /**
   * An experiment variant's body, evaluated in its file; undefined when it does not parse or
   * throws (e.g. a helper it calls was removed by a later publish): the customer then gets
   * today's copy rather than a failed turn.
   */
  private renderVariant(snapshot: ContentSnapshot, file: Templates, body: string, data: Readonly<Record<string, unknown>>): unknown {
    const variantFile = snapshot.variantFile(file, body);
    if (!variantFile) return undefined;
    try {
      return snapshot.evaluate(variantFile, VARIANT_TEMPLATE, data);
    } catch {
      return undefined;
    }
  }

  /** Renders to plain text (prompts, button labels). */
  text(request: RenderRequest): string {
    return this.render(request).text ?? '';
  }
}

/** `en-GB` → `en-gb`, `en`, then the default locale. */
function localeChain(locale: string | undefined, defaultLocale: string): string[] {
  const chain: string[] = [];
  if (locale) {
    const lower = locale.toLowerCase();
    chain.push(lower);
    const language = lower.split('-')[0];
    if (language && language !== lower) chain.push(language);
  }
  chain.push(defaultLocale);
  return chain;
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

function parseLg(text: string, id: string): Templates {
  const templates = parseLgText(text, id);
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
