/** A card payment was declined: where was it, then the likely reasons for that kind of payment. */
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { TaskDialog } from './task-dialog';

export const DECLINED_PAYMENT_DIALOG = 'declinedPayment';
const WHERE = ['online', 'inStore', 'abroad'] as const;

export class DeclinedPaymentDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(DECLINED_PAYMENT_DIALOG, content);
    this.addDialog(
      new WaterfallDialog(`${DECLINED_PAYMENT_DIALOG}.steps`, [
        (step) => this.askWhere(step),
        (step) => this.explain(step),
      ]),
    );
    this.initialDialogId = `${DECLINED_PAYMENT_DIALOG}.steps`;
  }

  private askWhere(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const merchant = this.entityText(step.context, 'merchant');
    return this.askChoice(step, 'declinedPayment.askWhere', WHERE, { merchant });
  }

  private async explain(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const where = this.chosenId(step, WHERE) ?? 'online';
    await this.say(step.context, `declinedPayment.reasons.${where}`);
    return step.endDialog();
  }
}
