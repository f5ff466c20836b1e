/**
 * `node dist/escalation/tuning/tune-weights.js [--root <dir>] [--data <file.jsonl>] [--report <file.json>] [--seed <n>] [--evaluations <n>]`
 *
 * Tunes the frustration meter's weights on the labelled conversations: replays every customer
 * turn through the real recognizer and the meter, searches weights on the tune split only (never
 * proposing weights that break the bot's behaviour tests), then compares default and tuned weights
 * on the held-out test split, overall and banking against the other domains. Prints a table and
 * writes a JSON report. It proposes weights; it never edits `DEFAULT_FRUSTRATION_WEIGHTS` itself.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/app-config';
import { findProjectRoot } from '../../core/project-root';
import { loadRecognizer } from '../../nlu/load-recognizer';
import type { Recognizer } from '../../nlu/recognizer';
import type { EscalationSettings } from '../escalation-policy';
import { DEFAULT_FRUSTRATION_WEIGHTS, FrustrationMeter, type FrustrationWeights } from '../frustration-meter';
import { replayConversation } from '../replay';
import { behaviouralViolations } from './behaviour-constraints';
import {
  observeConversations,
  pairedBootstrap,
  scoreConversations,
  separationByGroup,
  signalFiring,
  tuningObjective,
  type DomainScoredTurn,
  type GroupName,
  type ObjectiveSettings,
  type Separation,
} from './frustration-evaluation';
import { DOMAINS, parseLabelledConversations, splitTuneTest, userTurns, type LabelledConversation } from './labelled-conversations';
import { mulberry32, SEARCH_RANGES, roundWeights, searchWeights, type SearchResult } from './weight-search';
import { metricsAt, rocAuc, type ScoredTurn } from './separation';
import { runMain } from '../../core/run-main';

const USAGE = 'usage: node dist/escalation/tuning/tune-weights.js [--root <dir>] [--data <file.jsonl>] [--report <file.json>] [--seed <n>] [--evaluations <n>]';

/** Fixed before looking at any result, so the held-out comparison stays honest. */
export const TUNING_DEFAULTS = {
  seed: 20240611,
  maxEvaluations: 30_000,
  maxMilliseconds: 120_000,
  restarts: 12,
  testShare: 0.4,
  falseEscalationPenalty: 1,
  f1Bonus: 0.5,
} as const;

interface Options {
  root?: string;
  data?: string;
  report?: string;
  seed?: number;
  evaluations?: number;
}

export interface WeightsComparison {
  readonly default: Record<GroupName, Separation>;
  readonly tuned: Record<GroupName, Separation>;
}

/**
 * Whether the tuned weights should replace the defaults: a better objective on the held-out split,
 * without ranking worse overall or outside banking.
 */
export function tunedIsBetter(test: WeightsComparison, objective: { default: number; tuned: number }): boolean {
  return (
    objective.tuned > objective.default &&
    test.tuned.all.auc >= test.default.all.auc &&
    test.tuned['non-banking'].auc >= test.default['non-banking'].auc
  );
}

export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const options = parseOptions(argv);
  if (!options) {
    err.write(`${USAGE}\n`);
    return 2;
  }
  const root = path.resolve(options.root ?? findProjectRoot(process.cwd()));
  const dataFile = path.resolve(options.data ?? path.join(root, 'escalation', 'data', 'frustration-labelled.jsonl'));
  const reportFile = path.resolve(options.report ?? path.join(root, 'escalation', 'data', 'tuning-report.json'));
  const config = loadConfig(process.env, root);
  const settings: EscalationSettings = { frustrationThreshold: config.escalation.frustrationThreshold, failedTurnsToEscalate: config.escalation.failedTurnsToEscalate };
  const objectiveSettings: ObjectiveSettings = {
    threshold: settings.frustrationThreshold,
    falseEscalationPenalty: TUNING_DEFAULTS.falseEscalationPenalty,
    f1Bonus: TUNING_DEFAULTS.f1Bonus,
  };

  const conversations = parseLabelledConversations(readFileSync(dataFile, 'utf8'));
  const split = splitTuneTest(conversations, TUNING_DEFAULTS.testShare);
  const recognizer = await loadRecognizer(path.join(root, 'models'), pino({ level: 'silent' }));
  const tune = observeConversations(split.tune, recognizer);
  const test = observeConversations(split.test, recognizer);

  const defaultViolations = behaviouralViolations(DEFAULT_FRUSTRATION_WEIGHTS, settings);
  if (defaultViolations.length > 0) err.write(`tune-weights: the current defaults already break: ${defaultViolations.join('; ')}\n`);
  const search = searchWeights(
    DEFAULT_FRUSTRATION_WEIGHTS,
    (weights) => tuningObjective(scoreConversations(tune, weights), objectiveSettings),
    (weights) => behaviouralViolations(weights, settings).length === 0,
    {
      seed: options.seed ?? TUNING_DEFAULTS.seed,
      maxEvaluations: options.evaluations ?? TUNING_DEFAULTS.maxEvaluations,
      maxMilliseconds: TUNING_DEFAULTS.maxMilliseconds,
      restarts: TUNING_DEFAULTS.restarts,
    },
  );
  const tuned = roundWeights(search.weights);

  // The report measures the bot's own replay path; the search's cached scoring must agree with it.
  const replayed = (labelled: readonly LabelledConversation[], weights: FrustrationWeights) => replayScores(labelled, weights, recognizer, settings);
  const testScores = { default: replayed(split.test, DEFAULT_FRUSTRATION_WEIGHTS), tuned: replayed(split.test, tuned) };
  const cachedTest = scoreConversations(test, tuned);
  if (testScores.tuned.some((turn, i) => turn.score !== cachedTest[i]?.score)) throw new Error('cached scoring disagrees with replayConversation');

  const threshold = settings.frustrationThreshold;
  const tuneComparison: WeightsComparison = {
    default: separationByGroup(replayed(split.tune, DEFAULT_FRUSTRATION_WEIGHTS), threshold),
    tuned: separationByGroup(replayed(split.tune, tuned), threshold),
  };
  const testComparison: WeightsComparison = { default: separationByGroup(testScores.default, threshold), tuned: separationByGroup(testScores.tuned, threshold) };
  const testObjective = { default: tuningObjective(testScores.default, objectiveSettings), tuned: tuningObjective(testScores.tuned, objectiveSettings) };
  const adopt = tunedIsBetter(testComparison, testObjective);
  const uncertainty = testUncertainty(testScores.default, testScores.tuned, threshold, options.seed ?? TUNING_DEFAULTS.seed);

  const report = {
    generatedAt: new Date().toISOString(),
    data: {
      file: path.relative(root, dataFile),
      conversations: conversations.length,
      userTurns: conversations.reduce((sum, c) => sum + userTurns(c).length, 0),
      dissatisfiedTurns: conversations.reduce((sum, c) => sum + userTurns(c).filter((t) => t.dissatisfied).length, 0),
      byDomain: Object.fromEntries(DOMAINS.map((domain) => [domain, { tune: split.tune.filter((c) => c.domain === domain).length, test: split.test.filter((c) => c.domain === domain).length }])),
      tuneConversationIds: split.tune.map((c) => c.id),
      testConversationIds: split.test.map((c) => c.id),
    },
    models: modelFingerprints(path.join(root, 'models')),
    settings,
    objective: { formula: 'AUC + f1Bonus × F1@threshold − falseEscalationPenalty × FPR@threshold (tune split, all domains)', ...objectiveSettings },
    search: { ...searchSummary(search), seed: options.seed ?? TUNING_DEFAULTS.seed, ranges: SEARCH_RANGES, constraint: 'behaviouralViolations(weights) is empty' },
    weights: { default: DEFAULT_FRUSTRATION_WEIGHTS, tuned },
    tune: tuneComparison,
    test: { ...testComparison, objective: testObjective, tunedMinusDefault95: uncertainty },
    signalFiringWithDefaults: signalFiring([...tune, ...test], DEFAULT_FRUSTRATION_WEIGHTS),
    decision: adopt ? 'adopt tuned weights: better on the held-out test split' : 'keep default weights: tuned weights are not better on the held-out test split',
  };
  writeFileSync(reportFile, `${JSON.stringify(report, numbersRounded, 2)}\n`);

  out.write(`Labelled set: ${report.data.conversations} conversations, ${report.data.userTurns} customer turns, ${report.data.dissatisfiedTurns} dissatisfied\n`);
  out.write(`Split: tune ${split.tune.length} / test ${split.test.length} conversations (stratified by domain and by whether the customer is ever dissatisfied)\n`);
  out.write(`Search: ${search.evaluations} weight sets, ${search.restartsRun} restarts, ${(search.milliseconds / 1000).toFixed(1)} s, stopped by ${search.stoppedBy}; objective on tune ${search.startObjective.toFixed(4)} → ${search.objective.toFixed(4)}\n\n`);
  out.write(table('TUNE split', tuneComparison, threshold));
  out.write(table('HELD-OUT TEST split', testComparison, threshold));
  out.write(`Objective on test: default ${testObjective.default.toFixed(4)}, tuned ${testObjective.tuned.toFixed(4)}\n`);
  out.write('Tuned − default on test, 95% interval (bootstrap over conversations):\n');
  for (const [name, interval] of Object.entries(uncertainty)) out.write(`  ${name.padEnd(22)} ${signed(interval.estimate)}  [${signed(interval.low)}, ${signed(interval.high)}]\n`);
  out.write('\n');
  out.write(weightsTable(DEFAULT_FRUSTRATION_WEIGHTS, tuned));
  out.write(`\n${report.decision}\nReport written to ${path.relative(process.cwd(), reportFile) || reportFile}\n`);
  return 0;
}

function replayScores(conversations: readonly LabelledConversation[], weights: FrustrationWeights, recognizer: Recognizer, settings: EscalationSettings): DomainScoredTurn[] {
  const meter = new FrustrationMeter(weights);
  return conversations.flatMap((conversation) => {
    const labels = userTurns(conversation);
    return replayConversation(conversation, recognizer, meter, settings).map((turn, i) => ({
      score: turn.frustration,
      positive: labels[i]!.dissatisfied,
      conversationId: conversation.id,
      domain: conversation.domain,
    }));
  });
}

/** How sure the held-out comparison is: differences whose interval spans 0 are within noise. */
function testUncertainty(before: readonly DomainScoredTurn[], after: readonly DomainScoredTurn[], threshold: number, seed: number) {
  const random = mulberry32(seed);
  const nonBanking = (turns: readonly DomainScoredTurn[]) => turns.filter((turn) => turn.domain !== 'banking');
  const f1 = (turns: readonly ScoredTurn[]) => metricsAt(turns, threshold).f1;
  const fpr = (turns: readonly ScoredTurn[]) => metricsAt(turns, threshold).falsePositiveRate;
  return {
    auc: pairedBootstrap(before, after, rocAuc, random),
    'non-banking auc': pairedBootstrap(nonBanking(before), nonBanking(after), rocAuc, random),
    [`f1@${threshold}`]: pairedBootstrap(before, after, f1, random),
    [`false escalations@${threshold}`]: pairedBootstrap(before, after, fpr, random),
  };
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}

/** sha256 of every model file, so a report says which recognizer its numbers came from. */
function modelFingerprints(modelDir: string): Record<string, string> {
  const files = readdirSync(modelDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return Object.fromEntries(
    files
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort()
      .map((file) => [path.relative(modelDir, file), createHash('sha256').update(readFileSync(file)).digest('hex')]),
  );
}

function searchSummary(search: SearchResult) {
  return { evaluations: search.evaluations, restartsRun: search.restartsRun, stoppedBy: search.stoppedBy, milliseconds: search.milliseconds, startObjective: search.startObjective, objective: search.objective };
}

const GROUPS: readonly GroupName[] = ['all', 'banking', 'non-banking', 'retail', 'telecom', 'travel'];

function table(title: string, comparison: WeightsComparison, threshold: number): string {
  const t = threshold.toFixed(2);
  const header = ['group', 'weights', 'turns', 'dissat', 'AUC', `P@${t}`, `R@${t}`, `F1@${t}`, `FPR@${t}`, 'best thr', 'P', 'R', 'F1'];
  const rows: string[][] = [];
  for (const group of GROUPS) {
    for (const which of ['default', 'tuned'] as const) {
      const s = comparison[which][group];
      rows.push([
        which === 'default' ? group : '',
        which,
        String(s.turns),
        String(s.dissatisfiedTurns),
        fixed(s.auc),
        fixed(s.atThreshold.precision),
        fixed(s.atThreshold.recall),
        fixed(s.atThreshold.f1),
        fixed(s.atThreshold.falsePositiveRate),
        fixed(s.atBestThreshold.threshold),
        fixed(s.atBestThreshold.precision),
        fixed(s.atBestThreshold.recall),
        fixed(s.atBestThreshold.f1),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return `${title}\n${line(header)}\n${rows.map(line).join('\n')}\n\n`;
}

function weightsTable(before: FrustrationWeights, after: FrustrationWeights): string {
  const names = Object.keys(before) as (keyof FrustrationWeights)[];
  const width = Math.max(...names.map((name) => name.length));
  return `${'weight'.padEnd(width)}  default  tuned\n${names.map((name) => `${name.padEnd(width)}  ${before[name].toFixed(2).padStart(7)}  ${after[name].toFixed(2).padStart(5)}`).join('\n')}\n`;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '—';
}

/** JSON replacer: four decimals are plenty for a metric, and NaN/∞ become null explicitly. */
function numbersRounded(_key: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (!Number.isFinite(value)) return null;
  return Math.round(value * 10_000) / 10_000;
}

function parseOptions(args: readonly string[]): Options | undefined {
  const options: Options = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) return undefined;
    if (flag === '--root') options.root = value;
    else if (flag === '--data') options.data = value;
    else if (flag === '--report') options.report = value;
    else if (flag === '--seed' || flag === '--evaluations') {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) return undefined;
      options[flag === '--seed' ? 'seed' : 'evaluations'] = number;
    } else return undefined;
  }
  return options;
}

if (require.main === module) runMain('tune-weights', () => main(process.argv.slice(2)));
