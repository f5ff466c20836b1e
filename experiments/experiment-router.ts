/**
 * The running experiments, in memory on every instance, so a reply chooses its variant without a
 * storage read on the hot path. Reloaded when any instance announces a change on the event bus.
 * The first time a conversation sees an experiment, the exposure is stored (in the background).
 */
import type { RenderAudience, TemplateExperiments, TemplateVariantChoice } from '../content/content-library';
import type { Logger } from '../core/logger';
import type { EventBus, Unsubscribe } from '../events/event-bus';
import type { OfferExperiments, OfferVariantChoice } from '../personalization/offers/offer-experiment';
import type { ExperimentRecord, Experiments } from '../storage/ports';
import { assignVariant } from './assignment';

/** How many (experiment, conversation) pairs are remembered as already recorded. */
const RECORDED_MEMORY = 50_000;

export class ExperimentRouter implements TemplateExperiments, OfferExperiments {
  private byTarget = new Map<string, ExperimentRecord>();
  private readonly recorded = new Set<string>();
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly experiments: Experiments,
    private readonly logger: Logger,
  ) {}

  async start(events: EventBus): Promise<void> {
    this.unsubscribe = await events.subscribe('content', (event) => {
      if (event.type === 'experiments_changed') this.reload().catch((error: unknown) => this.logger.error({ err: error }, 'experiments could not be reloaded'));
    });
    await this.reload();
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** Reads the running experiments again (after this instance changed one, or another did). */
  async reload(): Promise<void> {
    const running = (await this.experiments.list()).filter((e) => e.status === 'running');
    // One running experiment per target; the newest wins if several were started.
    const next = new Map<string, ExperimentRecord>();
    for (const experiment of running.reverse()) next.set(`${experiment.kind}:${experiment.target}`, experiment);
    this.byTarget = next;
  }

  choose(template: string, audience: RenderAudience): TemplateVariantChoice | undefined {
    const experiment = this.byTarget.get(`template:${template}`);
    if (!experiment) return undefined;
    const variant = assignVariant(experiment, audience.key);
    this.expose(experiment, variant.id, audience);
    return { experimentId: experiment.id, variantId: variant.id, text: variant.text, tone: variant.tone };
  }

  /** Offer experiments: the offer id for this audience in the slot, or undefined when none runs there. */
  chooseOffer(slot: string, audience: RenderAudience): OfferVariantChoice | undefined {
    const experiment = this.byTarget.get(`offer:${slot}`);
    if (!experiment) return undefined;
    const variant = assignVariant(experiment, audience.key);
    this.expose(experiment, variant.id, audience);
    return { experimentId: experiment.id, variantId: variant.id, offerId: variant.offerId };
  }

  private expose(experiment: ExperimentRecord, variantId: string, audience: RenderAudience): void {
    const key = `${experiment.id}:${audience.conversationId}`;
    if (this.recorded.has(key)) return;
    if (this.recorded.size >= RECORDED_MEMORY) this.recorded.clear();
    this.recorded.add(key);
    const exposure = { experimentId: experiment.id, variantId, conversationId: audience.conversationId, audienceKey: audience.key, at: new Date() };
    this.experiments.recordExposure(exposure).catch((error: unknown) => {
      this.recorded.delete(key);
      this.logger.warn({ err: error, experimentId: experiment.id }, 'experiment exposure not recorded');
    });
  }
}
