/**
 * Content lint: everything that would make the bot say something wrong, found before it is
 * published. Used by `npm run content -- lint`, the studio's live validation, and publishing
 * (a version with errors is refused). Every problem names the file and line.
 */
import { ActivityFactory, type Activity } from 'botbuilder';
import { DiagnosticSeverity, Templates, type Template } from 'botbuilder-lg';
import { channelProfile } from '../personalization/channel-profile';
import { TONES, type Tone } from '../personalization/tone';
import { parseContentPath, type ContentFile } from './content-files';
import { COMMON_VARIABLES, REQUIRED_TEMPLATES, type RequiredTemplate } from './required-templates';
import { parseLgText } from './parse-lg-text';

export type ProblemCode =
  | 'parse_error'
  | 'broken_reference'
  | 'duplicate_template'
  | 'missing_template'
  | 'missing_tone_variant'
  | 'unknown_variable'
  | 'too_long_for_channel'
  | 'bad_path';

export interface ContentProblem {
  readonly severity: 'error' | 'warning';
  readonly code: ProblemCode;
  /** Content path (`en/general.lg`). */
  readonly file: string;
  /** 1-based; 0 when the problem is the absence of something in the file. */
  readonly line: number;
  readonly template?: string;
  readonly message: string;
}

export interface LintOptions {
  readonly defaultLocale: string;
  readonly required?: readonly RequiredTemplate[];
}

/** Channels whose messages are short enough that long copy is cut (SMS-class). */
export const SHORT_CHANNELS: readonly string[] = ['sms'];
/** A `<name>.<tone>.short` variant is what a short channel gets instead of the cut text. */
export const SHORT_SUFFIX = 'short';

const TONE_NAME = new RegExp(`^(.+)\\.(${TONES.join('|')})(?:\\.${SHORT_SUFFIX})?$`);

/** A template family: `greeting` with its variants `greeting.neutral`, `greeting.warm`, … */
interface Family {
  readonly base: string;
  readonly file: string;
  readonly variants: Map<string, { template: Template; tone: Tone; short: boolean }>;
}

export function lintContent(files: readonly ContentFile[], options: LintOptions): ContentProblem[] {
  const required = options.required ?? REQUIRED_TEMPLATES;
  const requiredByName = new Map(required.map((r) => [r.name, r]));
  const knownVariables = new Set([...COMMON_VARIABLES, ...required.flatMap((r) => r.variables ?? [])]);
  const problems: ContentProblem[] = [];
  const byLocale = new Map<string, { file: string; templates: Templates; analysable: boolean }[]>();

  for (const file of files) {
    const parsed = parseContentPath(file.path);
    if (!parsed) {
      problems.push({ severity: 'error', code: 'bad_path', file: file.path, line: 0, message: 'Content files are <locale>/<name>.lg' });
      continue;
    }
    const templates = parseLgText(file.text, file.path);
    const errors = templates.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    for (const d of errors) problems.push(fromDiagnostic(file.path, d.range.start.line, d.message));
    const list = byLocale.get(parsed.locale) ?? [];
    // A file with errors cannot be analysed further (botbuilder-lg refuses); its names still count.
    list.push({ file: file.path, templates, analysable: errors.length === 0 });
    byLocale.set(parsed.locale, list);
  }

  for (const [locale, localeFiles] of byLocale) {
    const families = new Map<string, Family>();
    const definedIn = new Map<string, string>();
    for (const { file, templates, analysable } of localeFiles) {
      for (const template of templates.toArray()) {
        const line = template.sourceRange.range.start.line;
        const earlier = definedIn.get(template.name);
        if (earlier) {
          problems.push({ severity: 'error', code: 'duplicate_template', file, line, template: template.name, message: `"${template.name}" is also defined in ${earlier}` });
          continue;
        }
        definedIn.set(template.name, `${file}:${line}`);
        const match = TONE_NAME.exec(template.name);
        if (!match) continue;
        const family = families.get(match[1]) ?? { base: match[1], file, variants: new Map() };
        family.variants.set(template.name, { template, tone: match[2] as Tone, short: template.name.endsWith(`.${SHORT_SUFFIX}`) });
        families.set(match[1], family);
      }
      if (!analysable) continue;
      problems.push(...checkVariables(file, templates, requiredByName, knownVariables));
      problems.push(...checkShortChannels(file, templates, families, knownVariables));
    }
    problems.push(...checkTones(families, requiredByName));
    problems.push(...checkRequired(locale, locale === options.defaultLocale.toLowerCase(), required, definedIn, families, localeFiles));
  }
  return problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** True when the problems include an error (warnings do not stop a publish). */
export function hasErrors(problems: readonly ContentProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** `en/general.lg:12 error missing_tone_variant greeting: …` — one line per problem. */
export function formatProblem(problem: ContentProblem, base = ''): string {
  return `${base}${problem.file}:${problem.line} ${problem.severity} ${problem.code}${problem.template ? ` ${problem.template}` : ''}: ${problem.message}`;
}

function fromDiagnostic(file: string, line: number, message: string): ContentProblem {
  if (/does not have an evaluator/.test(message)) {
    return { severity: 'error', code: 'broken_reference', file, line, message: `${message} (templates can only call templates of the same file)` };
  }
  if (/Duplicated definitions/.test(message)) return { severity: 'error', code: 'duplicate_template', file, line, message };
  return { severity: 'error', code: 'parse_error', file, line, message };
}

/** Template name without tone and `.short`: what the code asks for. */
function baseName(name: string): string {
  return TONE_NAME.exec(name)?.[1] ?? name;
}

function checkTones(families: ReadonlyMap<string, Family>, requiredByName: ReadonlyMap<string, RequiredTemplate>): ContentProblem[] {
  const problems: ContentProblem[] = [];
  for (const family of families.values()) {
    const full = [...family.variants.values()].filter((v) => !v.short);
    const tones = new Set(full.map((v) => v.tone));
    const first = [...family.variants.values()][0].template;
    const line = first.sourceRange.range.start.line;
    const missing = TONES.filter((tone) => !tones.has(tone));
    if (!tones.has('neutral')) {
      problems.push({ severity: 'error', code: 'missing_tone_variant', file: family.file, line, template: family.base, message: `"${family.base}.neutral" is missing: every other tone falls back to it` });
    }
    const others = missing.filter((tone) => tone !== 'neutral');
    if (others.length === 0) continue;
    // Only neutral: one text for everyone (a label or an instruction). Allowed unless the code
    // treats it as a customer reply that should follow the customer's mood.
    const onlyNeutral = tones.size === 1 && tones.has('neutral');
    const wantsTones = requiredByName.get(family.base)?.kind === 'toned';
    if (onlyNeutral && !wantsTones) continue;
    problems.push({
      severity: 'error',
      code: 'missing_tone_variant',
      file: family.file,
      line,
      template: family.base,
      message: `no ${others.map((t) => `"${family.base}.${t}"`).join(', ')}: add the variant (or \`- \${${family.base}.neutral()}\` to reuse the neutral copy on purpose)`,
    });
  }
  return problems;
}

function checkRequired(
  locale: string,
  isDefault: boolean,
  required: readonly RequiredTemplate[],
  definedIn: ReadonlyMap<string, string>,
  families: ReadonlyMap<string, Family>,
  localeFiles: readonly { file: string }[],
): ContentProblem[] {
  const problems: ContentProblem[] = [];
  for (const template of required) {
    if (definedIn.has(template.name) || families.has(template.name)) continue;
    // Another locale falls back to the default one, so a gap there is a warning, not a broken reply.
    const dialog = template.name.split('.')[0];
    const file = localeFiles.find((f) => f.file === `${locale}/${dialog}.lg`)?.file ?? `${locale}/general.lg`;
    problems.push({
      severity: isDefault ? 'error' : 'warning',
      code: 'missing_template',
      file,
      line: 0,
      template: template.name,
      message: isDefault ? `the code asks for "${template.name}" but no file defines it` : `"${template.name}" is not translated; the default locale's copy is used`,
    });
  }
  return problems;
}

function checkVariables(file: string, templates: Templates, requiredByName: ReadonlyMap<string, RequiredTemplate>, knownVariables: ReadonlySet<string>): ContentProblem[] {
  const problems: ContentProblem[] = [];
  for (const template of templates.toArray()) {
    if (!TONE_NAME.test(template.name) && !requiredByName.has(template.name)) continue; // helpers are checked through their callers
    const spec = requiredByName.get(baseName(template.name));
    const allowed = spec ? new Set([...COMMON_VARIABLES, ...(spec.variables ?? [])]) : knownVariables;
    const analysis = templates.analyzeTemplate(template.name);
    // A variable that comes from another checked template is reported there, once.
    const inherited = new Set(
      analysis.TemplateReferences.filter((ref) => TONE_NAME.test(ref) || requiredByName.has(ref)).flatMap((ref) => templates.analyzeTemplate(ref).Variables),
    );
    for (const variable of analysis.Variables) {
      const root = variable.split(/[.[]/)[0];
      if (allowed.has(root)) continue;
      if (inherited.has(variable) && !template.body.includes(root)) continue;
      problems.push({
        // For a template the registry does not list, we cannot know what its code passes.
        severity: spec ? 'error' : 'warning',
        code: 'unknown_variable',
        file,
        line: lineOf(template, `\${`, root),
        template: template.name,
        message: spec
          ? `\${${root}} is never given to "${spec.name}" (it gets ${[...allowed].join(', ')}); it would render empty`
          : `\${${root}} is not a variable any registered template gets; list "${baseName(template.name)}" and its variables in content/required-templates.ts`,
      });
    }
  }
  return problems;
}

/** The first line of the template (or its file) that mentions the variable; the header otherwise. */
function lineOf(template: Template, marker: string, name: string): number {
  const lines = template.body.split('\n');
  const index = lines.findIndex((text) => text.includes(name) && (text.includes(marker) || text.includes('=')));
  return index < 0 ? template.sourceRange.range.start.line : template.sourceRange.range.start.line + 1 + index;
}

/** Sample values for every variable, long enough to be realistic for a length check. */
function sampleData(knownVariables: ReadonlySet<string>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const name of knownVariables) data[name] = 'Xxxxxxxxxxxx';
  return { ...data, minutes: 12, position: 3, suggestions: 'Xxxxxxxxxxxx', cardEnding: '1234', firstName: 'Alexandra' };
}

/** Copy that a short channel would cut: a warning on full variants without `.short`, an error on a `.short` that is too long. */
function checkShortChannels(file: string, templates: Templates, families: ReadonlyMap<string, Family>, knownVariables: ReadonlySet<string>): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const data = sampleData(knownVariables);
  for (const channelId of SHORT_CHANNELS) {
    const max = channelProfile(channelId).maxTextLength;
    for (const template of templates.toArray()) {
      const match = TONE_NAME.exec(template.name);
      if (!match) continue;
      const short = template.name.endsWith(`.${SHORT_SUFFIX}`);
      if (!short && families.get(match[1])?.variants.has(`${template.name}.${SHORT_SUFFIX}`)) continue;
      const longest = Math.max(0, ...expansions(templates, template.name, data).map(shortChannelLength));
      if (longest <= max) continue;
      problems.push({
        severity: short ? 'error' : 'warning',
        code: 'too_long_for_channel',
        file,
        line: template.sourceRange.range.start.line,
        template: template.name,
        message: short
          ? `${longest} characters on ${channelId}, which shows ${max}`
          : `${longest} characters: cut to ${max} on ${channelId}; add "${template.name}.${SHORT_SUFFIX}"`,
      });
    }
  }
  return problems;
}

/**
 * Expanding every phrasing is combinatorial: a template calling an 8-phrasing helper six times has
 * 8⁶ = 262,144, and validation runs on the server's main thread as an editor types. Beyond this
 * many, lengths are measured on random renders instead.
 */
const MAX_EXPANSIONS = 2_000;
const SAMPLED_RENDERS = 200;

/** Every phrasing of the template with the sample data, or a random sample of them when there are too many. */
function expansions(templates: Templates, name: string, data: Record<string, unknown>): Partial<Activity>[] {
  const toActivity = (result: unknown) => ActivityFactory.fromObject(result as string | Record<string, unknown>);
  try {
    if (phrasingsAtMost(templates, name) <= MAX_EXPANSIONS) return templates.expandTemplate(name, data).map(toActivity);
    return Array.from({ length: SAMPLED_RENDERS }, () => toActivity(templates.evaluate(name, data)));
  } catch {
    return []; // expressions that need real data (e.g. arithmetic on a sample string): measured at preview
  }
}

/** A call of a template in an expression: `${helloName()}`. */
const TEMPLATE_CALL = /([A-Za-z_][\w.]*)\s*\(/g;

/**
 * An upper bound on how many phrasings expanding `name` gives: each `-` line counts the product of
 * the phrasings of the templates it calls (conditional branches are all counted, so it may be more).
 */
function phrasingsAtMost(templates: Templates, name: string, counted = new Map<string, number>()): number {
  const known = counted.get(name);
  if (known !== undefined) return known;
  counted.set(name, 1); // a template that calls itself is counted once
  const template = templates.allTemplates.find((t) => t.name === name);
  let total = 0;
  for (const line of template ? template.body.split('\n') : []) {
    if (!line.trimStart().startsWith('-')) continue;
    let product = 1;
    for (const [, called] of line.matchAll(TEMPLATE_CALL)) {
      if (called !== name && templates.allTemplates.some((t) => t.name === called)) product *= phrasingsAtMost(templates, called!, counted);
    }
    total += product;
  }
  counted.set(name, Math.max(total, 1));
  return Math.max(total, 1);
}

/** Text plus the numbered options a channel without buttons shows instead of buttons. */
function shortChannelLength(activity: Partial<Activity>): number {
  const options = activity.suggestedActions?.actions ?? [];
  return (activity.text ?? '').length + options.reduce((sum, action, i) => sum + `\n${i + 1}. ${action.title ?? ''}`.length, 0);
}
