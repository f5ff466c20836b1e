/**
 * Sticky assignment: a customer always gets the same variant of an experiment, on every instance
 * and after restarts, with nothing stored: the variant is a hash of the experiment id and the
 * customer (or conversation) key, mapped onto the variants' weights.
 */
import { createHash } from 'node:crypto';
import type { ExperimentRecord, ExperimentVariant } from '../storage/ports';

/** A number in [0, 1) from the experiment and the audience key: the same inputs, the same number. */
export function bucketOf(experimentId: string, audienceKey: string): number {
  const digest = createHash('sha256').update(`${experimentId}\u0000${audienceKey}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * The variant for this audience. Weights are applied over all variants, stopped ones included,
 * and a stopped variant's share goes to control: stopping one variant never moves customers
 * between the others.
 */
export function assignVariant(experiment: Pick<ExperimentRecord, 'id' | 'variants' | 'controlVariantId'>, audienceKey: string): ExperimentVariant {
  const total = experiment.variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  const control = experiment.variants.find((v) => v.id === experiment.controlVariantId) ?? experiment.variants[0];
  if (total <= 0) return control;
  let point = bucketOf(experiment.id, audienceKey) * total;
  for (const variant of experiment.variants) {
    point -= Math.max(0, variant.weight);
    if (point < 0) return variant.stoppedAt ? control : variant;
  }
  return control;
}
