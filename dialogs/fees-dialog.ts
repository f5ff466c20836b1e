/** Exchange rate and fee questions: one answer per intent, no questions back. */
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { getTurnInsight } from './turn-insight';
import { TaskDialog } from './task-dialog';

export const FEES_DIALOG = 'fees';

/** The fee intents this dialog answers, each with its own template `fees.<intent>`. */
export const FEE_INTENTS = ['exchange_rate', 'exchange_charge', 'card_payment_fee_charged', 'card_payment_wrong_exchange_rate', 'atm_support'] as const;

export class FeesDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(FEES_DIALOG, content);
    this.addDialog(new WaterfallDialog(`${FEES_DIALOG}.steps`, [(step) => this.answer(step)]));
    this.initialDialogId = `${FEES_DIALOG}.steps`;
  }

  private async answer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const intent = getTurnInsight(step.context).understanding.intent.intent;
    const known = (FEE_INTENTS as readonly string[]).includes(intent) ? intent : 'exchange_rate';
    await this.say(step.context, `fees.${known}`);
    return step.endDialog();
  }
}
