/**
 * A named contribution to a score or a decision. Scores and decisions keep their reasons so they
 * can explain themselves to agents, content teams and customers.
 */
export interface Reason {
  /** Stable machine name, e.g. `negative_sentiment`, `explicit_human_request`. */
  readonly name: string;
  /** How much this reason moved the score (signed); 1 for a plain yes/no reason. */
  readonly weight: number;
  /** Optional human-readable detail (never personal data). */
  readonly detail?: string;
}
