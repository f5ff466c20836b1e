/**
 * The guardrail: a variant whose negative signals (complaints, frustration escalations, opt-outs)
 * are clearly worse than control's is stopped automatically. "Clearly" is a one-sided
 * two-proportion z-test at 95% confidence, once both arms have a minimum sample: early noise on a
 * handful of conversations must not stop a variant, and a real harm must not run for long.
 */
import type { VariantOutcome } from './experiment-outcomes';
import { Z_ONE_SIDED_95, zHigherThan } from './statistics';

export interface GuardrailSettings {
  /** Conversations each arm needs before the test is made. */
  readonly minSample: number;
  /** One-sided z threshold (1.645: 95% confidence). */
  readonly z: number;
}

export const DEFAULT_GUARDRAIL: GuardrailSettings = { minSample: 30, z: Z_ONE_SIDED_95 };

export interface GuardrailVerdict {
  readonly variantId: string;
  readonly z: number;
  readonly reason: string;
}

/** Variants (not control, not already stopped) that the guardrail stops. */
export function guardrailVerdicts(outcomes: readonly VariantOutcome[], settings: GuardrailSettings = DEFAULT_GUARDRAIL): GuardrailVerdict[] {
  const control = outcomes.find((o) => o.control);
  if (!control || control.conversations < settings.minSample) return [];
  const verdicts: GuardrailVerdict[] = [];
  for (const outcome of outcomes) {
    if (outcome.control || outcome.stopped || outcome.conversations < settings.minSample) continue;
    const z = zHigherThan(outcome.negative, control.negative);
    if (z < settings.z) continue;
    const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
    verdicts.push({
      variantId: outcome.variantId,
      z,
      reason: `guardrail: negative signals ${pct(outcome.negative.rate)} (n=${outcome.conversations}) vs control ${pct(control.negative.rate)} (n=${control.conversations}), z=${z.toFixed(2)} ≥ ${settings.z.toFixed(3)}`,
    });
  }
  return verdicts;
}
