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

/** Longest whole-pound part taken (£9,999,999): a longer run of digits is not an amount typed for a card payment. */
const MAX_WHOLE_DIGITS = 7;
/**
 * The first number in the text, whole: digits with any "," and "." inside, and a minus sign right
 * before it (or before its currency sign), or the word "minus". A dash with a space after it is a
 * separator, not a sign: "Amazon - £40" is forty pounds.
 */
const NUMBER_TOKEN = /(-(?=[£$€]?\d)|\u2212(?=[£$€]?\d)|\bminus\b\s*)?[£$€]?\s*(\d[\d.,]*)/;

/**
 * "£40", "40.50", "about 12 pounds", "£1,250.50", "40,5", "1.234,56 €" → a positive amount. The
 * first number is read whole: grouped thousands ("1,000,000" or "1.234.567"), a decimal point, or
 * a decimal comma where it cannot be a thousands separator ("40,5", "12,99", "1.234,56"). Undefined
 * (so the question is asked again) when there is no number, it is negative, its grouping or
 * decimals make no sense for money ("1,2345", "1.234", "40.555"), or it is over-long ("12345678").
 */
export function parseAmount(text: string): number | undefined {
  const match = NUMBER_TOKEN.exec(text);
  if (!match || match[1] !== undefined) return undefined;
  // A full stop or comma after the number ends the sentence: "It was £40."
  const token = match[2].replace(/[.,]+$/, '');
  const amount = amountOfToken(token);
  return amount !== undefined && amount > 0 ? amount : undefined;
}

function amountOfToken(token: string): number | undefined {
  const lastPoint = token.lastIndexOf('.');
  const lastComma = token.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  if (lastPoint >= 0 && lastComma >= 0) {
    // Both: the later one is the decimal mark, the other groups thousands ("1,250.50", "1.234,56").
    const decimal = Math.max(lastPoint, lastComma);
    whole = ungrouped(token.slice(0, decimal), token[decimal] === '.' ? ',' : '.');
    fraction = token.slice(decimal + 1);
  } else if (lastPoint >= 0 || lastComma >= 0) {
    const mark = lastPoint >= 0 ? '.' : ',';
    const parts = token.split(mark);
    const last = parts[parts.length - 1];
    if (parts.length === 2 && last.length <= 2) {
      whole = parts[0];
      fraction = last;
    } else if (parts.length > 2 || mark === ',') {
      // "1,000", "1,000,000", "1.234.567": grouped thousands. A lone "1.234" could be either, so it is refused.
      whole = ungrouped(token, mark);
    } else {
      return undefined;
    }
  } else {
    whole = token;
  }
  if (!/^\d+$/.test(whole) || whole.replace(/^0+(?=\d)/, '').length > MAX_WHOLE_DIGITS || !/^\d{0,2}$/.test(fraction)) return undefined;
  return Number(fraction === '' ? whole : `${whole}.${fraction}`);
}

/** "1,234,567" → "1234567", or "" when the groups are not 1–3 digits then threes (so no number is made of it). */
function ungrouped(text: string, separator: string): string {
  const groups = text.split(separator);
  const valid = groups.length === 1 ? /^\d+$/.test(text) : /^\d{1,3}$/.test(groups[0]) && groups.slice(1).every((group) => /^\d{3}$/.test(group));
  return valid ? groups.join('') : '';
}
