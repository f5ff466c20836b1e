/**
 * Experiments as content teams run them: create (draft), start, stop, and read results (with what
 * the guardrail would do; reading never changes anything). The guardrail itself is applied in the
 * background, once per interval across instances (guardrail-watch.ts). Every change is announced
 * on the event bus so all instances' routers reload.
 */
import { randomUUID } from 'node:crypto';
import type { ContentLibrary } from '../content/content-library';
import { SAMPLE_DATA } from '../content/content-preview';
import { REQUIRED_TEMPLATES } from '../content/required-templates';
import { AttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventBus } from '../events/event-bus';
import { isOfferVariant, NO_OFFER, OFFER_SLOTS } from '../personalization/offers/offer-experiment';
import { isTone } from '../personalization/tone';
import type { Analytics, ExperimentKind, ExperimentRecord, Experiments, ExperimentVariant } from '../storage/ports';
import { variantOutcomes, type VariantOutcome } from './experiment-outcomes';
import { DEFAULT_GUARDRAIL, guardrailVerdicts, type GuardrailSettings, type GuardrailVerdict } from './guardrail';

/** Templates the code asks the library for by name: the only ones an experiment can change. */
const RENDERED_BY_NAME: ReadonlySet<string> = new Set(REQUIRED_TEMPLATES.map((template) => template.name));

export interface NewExperiment {
  readonly name: string;
  readonly kind: ExperimentKind;
  readonly target: string;
  readonly controlVariantId: string;
  readonly variants: readonly Pick<ExperimentVariant, 'id' | 'weight' | 'text' | 'tone' | 'offerId'>[];
}

export interface ExperimentResults {
  readonly experiment: ExperimentRecord;
  readonly variants: readonly VariantOutcome[];
  /** The guardrail's settings, and the variants it would stop now (empty unless running). */
  readonly guardrail: GuardrailSettings & { readonly metric: 'negative'; readonly wouldStop: readonly GuardrailVerdict[] };
}

/** The variants the guardrail stopped in one experiment ({@link ExperimentService.applyGuardrails}). */
export interface GuardrailStops {
  readonly experimentId: string;
  readonly verdicts: readonly GuardrailVerdict[];
}

export interface ExperimentServiceDependencies {
  readonly experiments: Experiments;
  readonly analytics: Analytics;
  readonly events: EventBus;
  readonly content: ContentLibrary;
  readonly logger: Logger;
  readonly guardrail?: GuardrailSettings;
  /** Exposures per outcome query (experiment-outcomes.ts); tests make it small. */
  readonly exposurePageSize?: number;
}

export class ExperimentService {
  private readonly guardrail: GuardrailSettings;

  constructor(private readonly deps: ExperimentServiceDependencies) {
    this.guardrail = deps.guardrail ?? DEFAULT_GUARDRAIL;
  }

  async create(input: NewExperiment, author: string): Promise<ExperimentRecord> {
    this.check(input);
    const now = new Date();
    const record: ExperimentRecord = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      target: input.target,
      controlVariantId: input.controlVariantId,
      variants: input.variants.map((v) => ({ id: v.id, weight: v.weight, text: v.text, tone: v.tone, offerId: v.offerId })),
      status: 'draft',
      createdBy: author,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.experiments.create(record);
    return record;
  }

  list(): Promise<ExperimentRecord[]> {
    return this.deps.experiments.list();
  }

  async get(id: string): Promise<ExperimentRecord> {
    const experiment = await this.deps.experiments.get(id);
    if (!experiment) throw new AttuneError('ATTUNE_EXPERIMENT_NOT_FOUND', `No experiment ${id}.`);
    return experiment;
  }

  /** Starts a draft; only one experiment may run on a target at a time. */
  async start(id: string): Promise<ExperimentRecord> {
    const experiment = await this.get(id);
    if (experiment.status !== 'draft') throw new AttuneError('ATTUNE_EXPERIMENT_STATE', `Experiment ${id} is ${experiment.status}; only a draft can start.`);
    // The content may have been published since the draft was made: its variants must still render.
    this.check(experiment);
    const clash = (await this.deps.experiments.list()).find((e) => e.status === 'running' && e.kind === experiment.kind && e.target === experiment.target);
    if (clash) throw new AttuneError('ATTUNE_EXPERIMENT_STATE', `Experiment "${clash.name}" already runs on ${experiment.target}.`);
    return this.change(id, { status: 'running', startedAt: new Date() });
  }

  async stop(id: string): Promise<ExperimentRecord> {
    const experiment = await this.get(id);
    if (experiment.status !== 'running') throw new AttuneError('ATTUNE_EXPERIMENT_STATE', `Experiment ${id} is ${experiment.status}; only a running one can stop.`);
    return this.change(id, { status: 'stopped', stoppedAt: new Date() });
  }

  /**
   * Outcomes per variant, and the variants the guardrail would stop now. Read-only: only
   * {@link applyGuardrails} (run in the background, experiments/guardrail-watch.ts) stops variants.
   */
  async results(id: string): Promise<ExperimentResults> {
    const experiment = await this.get(id);
    const outcomes = await variantOutcomes(this.deps.analytics, experiment, this.deps.exposurePageSize);
    const wouldStop = experiment.status === 'running' ? guardrailVerdicts(outcomes, this.guardrail) : [];
    return { experiment, variants: outcomes, guardrail: { ...this.guardrail, metric: 'negative', wouldStop } };
  }

  /**
   * Stops the variants of running experiments that fail the guardrail (their customers get
   * control); resolves what it stopped. Runs on one instance at a time (guardrail-watch.ts).
   */
  async applyGuardrails(): Promise<GuardrailStops[]> {
    const applied: GuardrailStops[] = [];
    for (const experiment of await this.deps.experiments.list()) {
      if (experiment.status !== 'running') continue;
      const verdicts = guardrailVerdicts(await variantOutcomes(this.deps.analytics, experiment, this.deps.exposurePageSize), this.guardrail);
      if (verdicts.length === 0) continue;
      // Re-read: the variants may have changed while the outcomes were counted.
      const current = await this.deps.experiments.get(experiment.id);
      if (current?.status !== 'running') continue;
      const at = new Date();
      const stopping = verdicts.filter((verdict) => current.variants.some((v) => v.id === verdict.variantId && !v.stoppedAt));
      if (stopping.length === 0) continue;
      const variants = current.variants.map((v) => {
        const verdict = stopping.find((x) => x.variantId === v.id);
        return verdict ? { ...v, stoppedAt: at, stoppedReason: verdict.reason } : v;
      });
      await this.change(experiment.id, { variants });
      this.deps.logger.warn({ experimentId: experiment.id, verdicts: stopping }, 'experiment guardrail stopped variants');
      applied.push({ experimentId: experiment.id, verdicts: stopping });
    }
    return applied;
  }

  private async change(id: string, changes: Parameters<Experiments['update']>[1]): Promise<ExperimentRecord> {
    const updated = await this.deps.experiments.update(id, changes, new Date());
    if (!updated) throw new AttuneError('ATTUNE_EXPERIMENT_NOT_FOUND', `No experiment ${id}.`);
    await this.deps.events.publish('content', { type: 'experiments_changed', experimentId: id });
    return updated;
  }

  private check(input: NewExperiment): void {
    const invalid = (message: string) => new AttuneError('ATTUNE_REQUEST_INVALID', message);
    const ids = input.variants.map((v) => v.id);
    if (input.variants.length < 2) throw invalid('An experiment needs at least two variants (control and one to compare).');
    if (new Set(ids).size !== ids.length) throw invalid('Variant ids must be unique.');
    if (!ids.includes(input.controlVariantId)) throw invalid(`controlVariantId "${input.controlVariantId}" is not one of the variants.`);
    if (input.kind === 'template') {
      if (!this.deps.content.has(input.target)) throw invalid(`No content template "${input.target}".`);
      if (!RENDERED_BY_NAME.has(input.target)) {
        throw invalid(`The bot never renders "${input.target}" by that name (a tone variant or a helper template): run the experiment on the template the bot asks for, e.g. "${input.target.split('.')[0]}".`);
      }
      for (const variant of input.variants) {
        if (variant.tone !== undefined && !isTone(variant.tone)) throw invalid(`Variant ${variant.id}: unknown tone "${variant.tone}".`);
        if (variant.text === undefined) continue;
        const problems = this.deps.content.variantProblems(input.target, variant.text, SAMPLE_DATA);
        if (problems.length > 0) throw invalid(`Variant ${variant.id}: ${problems.join('; ')}`);
      }
    } else {
      if (!OFFER_SLOTS.includes(input.target)) throw invalid(`No offer slot "${input.target}" (slots: ${OFFER_SLOTS.join(', ')}).`);
      if (input.variants.some((v) => v.id !== input.controlVariantId && !v.offerId)) throw invalid('Every offer variant but control names an offerId.');
      const unknown = input.variants.find((v) => v.offerId !== undefined && !isOfferVariant(v.offerId));
      if (unknown) throw invalid(`Variant ${unknown.id}: no offer "${unknown.offerId}" (an offer id, or "${NO_OFFER}" for no offer).`);
    }
  }
}
