/**
 * Which dialog serves which intent. Intents without a dialog get a short general answer and the
 * offer of a person (see the Decide stage); adding a task is a dialog plus a line here.
 */
import type { StatePropertyAccessor } from 'botbuilder';
import type { DialogSet, DialogState } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { CARD_ARRIVAL_DIALOG, CardArrivalDialog } from './card-arrival-dialog';
import { DECLINED_PAYMENT_DIALOG, DeclinedPaymentDialog } from './declined-payment-dialog';
import { DISPUTE_DIALOG, DISPUTE_INTENTS, DisputeDialog } from './dispute';
import { FEE_INTENTS, FEES_DIALOG, FeesDialog } from './fees-dialog';
import { LOST_CARD_DIALOG, LostCardDialog } from './lost-card-dialog';
import { TaskDialogSet } from './task-dialog-set';
import { TOP_UP_FAILED_DIALOG, TopUpFailedDialog } from './top-up-failed-dialog';

const DIALOG_BY_INTENT: Readonly<Record<string, string>> = {
  card_arrival: CARD_ARRIVAL_DIALOG,
  card_delivery_estimate: CARD_ARRIVAL_DIALOG,
  lost_or_stolen_card: LOST_CARD_DIALOG,
  compromised_card: LOST_CARD_DIALOG,
  declined_card_payment: DECLINED_PAYMENT_DIALOG,
  top_up_failed: TOP_UP_FAILED_DIALOG,
  ...Object.fromEntries(FEE_INTENTS.map((intent) => [intent, FEES_DIALOG])),
  ...Object.fromEntries(DISPUTE_INTENTS.map((intent) => [intent, DISPUTE_DIALOG])),
};

export function dialogForIntent(intent: string): string | undefined {
  return DIALOG_BY_INTENT[intent];
}

/** Builds the dialog set every turn runs in. Dialogs are stateless; their state is in storage. */
export function createTaskDialogs(dialogState: StatePropertyAccessor<DialogState>, content: ContentLibrary): DialogSet {
  const dialogs = new TaskDialogSet(dialogState);
  dialogs.add(new CardArrivalDialog(content));
  dialogs.add(new LostCardDialog(content));
  dialogs.add(new DeclinedPaymentDialog(content));
  dialogs.add(new TopUpFailedDialog(content));
  dialogs.add(new FeesDialog(content));
  dialogs.add(new DisputeDialog(content));
  return dialogs;
}
