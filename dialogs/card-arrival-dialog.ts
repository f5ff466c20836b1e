/** "My card hasn't arrived": how long ago was it ordered, then wait or order a replacement. */
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { TaskDialog } from './task-dialog';

export const CARD_ARRIVAL_DIALOG = 'cardArrival';
const ORDERED_WHEN = ['withinAWeek', 'overAWeek'] as const;

export class CardArrivalDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(CARD_ARRIVAL_DIALOG, content);
    this.addDialog(
      new WaterfallDialog(`${CARD_ARRIVAL_DIALOG}.steps`, [
        (step) => this.askWhenOrdered(step),
        (step) => this.adviseOrOfferReplacement(step),
        (step) => this.confirmReplacement(step),
      ]),
    );
    this.initialDialogId = `${CARD_ARRIVAL_DIALOG}.steps`;
  }

  private askWhenOrdered(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.askChoice(step, 'cardArrival.askWhenOrdered', ORDERED_WHEN);
  }

  private async adviseOrOfferReplacement(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (this.chosenId(step, ORDERED_WHEN) === 'withinAWeek') {
      await this.say(step.context, 'cardArrival.stillOnItsWay');
      return step.endDialog();
    }
    return this.askYesNo(step, 'cardArrival.offerReplacement');
  }

  private async confirmReplacement(step: WaterfallStepContext): Promise<DialogTurnResult> {
    await this.say(step.context, step.result === true ? 'cardArrival.replacementOrdered' : 'cardArrival.replacementDeclined');
    return step.endDialog();
  }
}
