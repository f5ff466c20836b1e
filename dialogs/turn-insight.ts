/**
 * What the pipeline learned this turn, handed to dialogs through the turn state so that a dialog
 * renders its replies in the tone, locale and channel the Decide stage chose.
 */
import type { TurnContext } from 'botbuilder';
import type { RenderAudience } from '../content/content-library';
import type { ChannelProfile } from '../personalization/channel-profile';
import type { Tone } from '../personalization/tone';
import type { Understanding } from '../nlu/types';

export interface TurnInsight {
  readonly tone: Tone;
  readonly locale: string;
  readonly channel: ChannelProfile;
  readonly understanding: Understanding;
  /** Variables every template may use (e.g. `firstName` when the customer likes being named). */
  readonly templateData: Readonly<Record<string, unknown>>;
  /** Whom the replies are for: content experiments assign their variants stickily by it. */
  readonly audience?: RenderAudience;
}

const TURN_INSIGHT_KEY = Symbol('attune.turnInsight');

export function setTurnInsight(context: TurnContext, insight: TurnInsight): void {
  context.turnState.set(TURN_INSIGHT_KEY, insight);
}

export function getTurnInsight(context: TurnContext): TurnInsight {
  const insight = context.turnState.get(TURN_INSIGHT_KEY) as TurnInsight | undefined;
  if (!insight) throw new Error('[TurnInsight]: the pipeline did not set the turn insight before running a dialog');
  return insight;
}
