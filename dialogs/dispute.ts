/**
 * "I don't recognise this card payment" / "I was charged twice": collects what the disputes team
 * needs (what happened, merchant, amount, when), confirms, and raises the dispute. Each answer is
 * reported as task progress, so a customer who leaves half-way is offered to pick up where they
 * left off on any linked channel, with the answers already given kept (see personalization/resume).
 */
import { WaterfallDialog, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import type { TaskStepValue } from '../storage/ports';
import { taskProgressOf } from '../personalization/task-progress';
import { ContentTextPrompt, templateRef, type ContentPromptOptions } from './content-prompts';
import { getTurnInsight } from './turn-insight';
import { TaskDialog } from './task-dialog';

export const DISPUTE_DIALOG = 'dispute';
export const DISPUTE_INTENTS = ['card_payment_not_recognised', 'transaction_charged_twice'] as const;

const KINDS = ['notRecognised', 'chargedTwice'] as const;
const WHEN = ['today', 'thisWeek', 'earlier'] as const;
const MERCHANT_PROMPT = 'dispute.merchantPrompt';
const AMOUNT_PROMPT = 'dispute.amountPrompt';

const ASK_MERCHANT: ContentPromptOptions = { ask: templateRef('dispute.askMerchant') };
const ASK_AMOUNT: ContentPromptOptions = { ask: templateRef('dispute.askAmount'), retry: templateRef('dispute.amountRetry') };

type Steps = Record<string, TaskStepValue>;

/** Options a caller may begin the dialog with: the steps done before (resume). */
export interface DisputeOptions {
  readonly resume?: Readonly<Steps>;
}

export class DisputeDialog extends TaskDialog {
  constructor(content: ContentLibrary) {
    super(DISPUTE_DIALOG, content);
    this.addDialog(new ContentTextPrompt(MERCHANT_PROMPT, this.renderTemplate));
    this.addDialog(new ContentTextPrompt(AMOUNT_PROMPT, this.renderTemplate, (prompt) => Promise.resolve(amountOf(prompt) !== undefined)));
    this.addDialog(
      new WaterfallDialog(`${DISPUTE_DIALOG}.steps`, [
        (step) => this.askKind(step),
        (step) => this.keep(step, 'kind', this.chosenId(step, KINDS)),
        (step) => this.ask(step, 'merchant', () => step.prompt(MERCHANT_PROMPT, ASK_MERCHANT)),
        (step) => this.keep(step, 'merchant', typeof step.result === 'string' ? step.result.trim().slice(0, 60) : undefined),
        (step) => this.askAmount(step),
        (step) => this.keep(step, 'amount', typeof step.result === 'string' ? parseAmount(step.result) : undefined),
        (step) => this.ask(step, 'when', () => this.askChoice(step, 'dispute.askWhen', WHEN)),
        (step) => this.keep(step, 'when', this.chosenId(step, WHEN)),
        (step) => this.askYesNo(step, 'dispute.confirm', { ...stepsOf(step) }),
        (step) => this.raise(step),
      ]),
    );
    this.initialDialogId = `${DISPUTE_DIALOG}.steps`;
  }

  /** Starts from the resumed steps, else from what the first message already said. */
  private askKind(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const resumed = (step.options as DisputeOptions | undefined)?.resume;
    const steps: Steps = resumed ? { ...resumed } : this.fromFirstMessage(step);
    (step.values as { steps?: Steps }).steps = steps;
    return this.ask(step, 'kind', () => this.askChoice(step, 'dispute.askKind', KINDS));
  }

  private askAmount(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return this.ask(step, 'amount', () => step.prompt(AMOUNT_PROMPT, ASK_AMOUNT));
  }

  /** Asks only what is not known yet. */
  private ask(step: WaterfallStepContext, name: string, question: () => Promise<DialogTurnResult>): Promise<DialogTurnResult> {
    return stepsOf(step)[name] === undefined ? question() : step.next();
  }

  /** Keeps a new answer and reports the progress, then moves on. */
  private keep(step: WaterfallStepContext, name: string, value: TaskStepValue | undefined): Promise<DialogTurnResult> {
    const steps = stepsOf(step);
    if (steps[name] === undefined && value !== undefined) {
      steps[name] = value;
      taskProgressOf(step.context)?.saved(DISPUTE_DIALOG, steps);
    }
    return step.next();
  }

  private async raise(step: WaterfallStepContext): Promise<DialogTurnResult> {
    taskProgressOf(step.context)?.finished(DISPUTE_DIALOG);
    await this.say(step.context, step.result === true ? 'dispute.raised' : 'dispute.notRaised', { ...stepsOf(step) });
    return step.endDialog();
  }

  private fromFirstMessage(step: WaterfallStepContext): Steps {
    const { understanding } = getTurnInsight(step.context);
    const steps: Steps = {};
    if (understanding.intent.intent === 'transaction_charged_twice') steps.kind = 'chargedTwice';
    if (understanding.intent.intent === 'card_payment_not_recognised') steps.kind = 'notRecognised';
    const merchant = understanding.entities.find((entity) => entity.kind === 'merchant')?.text;
    if (merchant) steps.merchant = merchant;
    const money = understanding.entities.find((entity) => entity.kind === 'money')?.text;
    const amount = money === undefined ? undefined : parseAmount(money);
    if (amount !== undefined) steps.amount = amount;
    if (Object.keys(steps).length > 0) taskProgressOf(step.context)?.saved(DISPUTE_DIALOG, steps);
    return steps;
  }
}

function stepsOf(step: WaterfallStepContext): Steps {
  return (step.values as { steps: Steps }).steps;
}

function amountOf(prompt: PromptValidatorContext<string>): number | undefined {
  return prompt.recognized.succeeded && prompt.recognized.value !== undefined ? parseAmount(prompt.recognized.value) : undefined;
}

/** "£40", "40.50", "about 12 pounds" → a positive amount; undefined if none is there. */
export function parseAmount(text: string): number | undefined {
  const match = /(\d{1,7}(?:[.,]\d{1,2})?)/.exec(text.replace(/(\d),(\d{3})\b/g, '$1$2'));
  const amount = match ? Number(match[1].replace(',', '.')) : NaN;
  return Number.isFinite(amount) && amount > 0 ? amount : undefined;
}
