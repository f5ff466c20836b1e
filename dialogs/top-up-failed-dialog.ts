/** A top-up failed: which method, then what usually went wrong with it. */
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { TaskDialog } from './task-dialog';

export const TOP_UP_FAILED_DIALOG = 'topUpFailed';
const METHODS = ['byCard', 'byBankTransfer'] as const;

export class TopUpFailedDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(TOP_UP_FAILED_DIALOG, content);
    this.addDialog(
      new WaterfallDialog(`${TOP_UP_FAILED_DIALOG}.steps`, [
        (step) => this.askMethod(step),
        (step) => this.explain(step),
      ]),
    );
    this.initialDialogId = `${TOP_UP_FAILED_DIALOG}.steps`;
  }

  private askMethod(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.askChoice(step, 'topUpFailed.askMethod', METHODS);
  }

  private async explain(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const method = this.chosenId(step, METHODS) ?? 'byCard';
    await this.say(step.context, `topUpFailed.advice.${method}`);
    return step.endDialog();
  }
}
