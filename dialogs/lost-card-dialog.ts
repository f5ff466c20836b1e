/** Lost or stolen card: freeze it straight away, then offer a replacement. */
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { TaskDialog } from './task-dialog';

export const LOST_CARD_DIALOG = 'lostCard';

export class LostCardDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(LOST_CARD_DIALOG, content);
    this.addDialog(
      new WaterfallDialog(`${LOST_CARD_DIALOG}.steps`, [
        (step) => this.askToFreeze(step),
        (step) => this.freezeAndOfferReplacement(step),
        (step) => this.confirmReplacement(step),
      ]),
    );
    this.initialDialogId = `${LOST_CARD_DIALOG}.steps`;
  }

  private askToFreeze(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const cardEnding = this.entityText(step.context, 'card_last4');
    // Remember the card for the later steps: the entity belongs to the first message only.
    (step.values as { cardEnding?: string }).cardEnding = cardEnding;
    return this.askYesNo(step, 'lostCard.askToFreeze', { cardEnding });
  }

  private async freezeAndOfferReplacement(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { cardEnding } = step.values as { cardEnding?: string };
    if (step.result !== true) {
      await this.say(step.context, 'lostCard.notFrozen', { cardEnding });
      return step.endDialog();
    }
    await this.say(step.context, 'lostCard.frozen', { cardEnding });
    return this.askYesNo(step, 'lostCard.offerReplacement', { cardEnding });
  }

  private async confirmReplacement(step: WaterfallStepContext): Promise<DialogTurnResult> {
    await this.say(step.context, step.result === true ? 'lostCard.replacementOrdered' : 'lostCard.replacementDeclined');
    return step.endDialog();
  }
}
