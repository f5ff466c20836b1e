/**
 * Base of every task dialog: renders replies and prompts from content in the turn's tone, so a
 * dialog's code holds the flow and the .lg files hold the words.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { ChoicePrompt, ComponentDialog, ConfirmPrompt, ListStyle, type Choice, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { getTurnInsight } from './turn-insight';

export const CHOICE_PROMPT = 'choicePrompt';
export const CONFIRM_PROMPT = 'confirmPrompt';

/** A choice the dialog's code recognises by `id`; its label comes from content (`choice.<id>`). */
export type ChoiceId = string;

export abstract class TaskDialog extends ComponentDialog {
  protected constructor(
    id: string,
    protected readonly content: ContentLibrary,
  ) {
    super(id);
    if (!content) throw new Error(`[${id}]: Missing parameter. content is required`);
    const choicePrompt = new ChoicePrompt(CHOICE_PROMPT);
    // Buttons where the channel has them; ChoiceFactory falls back to a numbered list elsewhere.
    choicePrompt.style = ListStyle.auto;
    this.addDialog(choicePrompt);
    this.addDialog(new ConfirmPrompt(CONFIRM_PROMPT));
  }

  /** Sends the template as a message in this turn's tone. */
  protected async say(context: TurnContext, template: string, data: Record<string, unknown> = {}): Promise<void> {
    await context.sendActivity(this.render(context, template, data));
  }

  protected render(context: TurnContext, template: string, data: Record<string, unknown> = {}): Partial<Activity> {
    const insight = getTurnInsight(context);
    return this.content.render({
      template,
      tone: insight.tone,
      locale: insight.locale,
      channel: insight.channel,
      data: { ...insight.templateData, ...data },
    });
  }

  /** Asks a question with choices; the step after it receives the chosen id in `result`. */
  protected async askChoice(step: WaterfallStepContext, template: string, choiceIds: readonly ChoiceId[], data: Record<string, unknown> = {}): Promise<DialogTurnResult> {
    const insight = getTurnInsight(step.context);
    const choices: Choice[] = choiceIds.map((id) => ({
      value: this.content.text({ template: `choice.${id}`, tone: 'neutral', locale: insight.locale, channel: insight.channel }),
      synonyms: [id],
    }));
    return step.prompt(CHOICE_PROMPT, {
      prompt: this.render(step.context, template, data),
      retryPrompt: this.render(step.context, 'general.pickAnOption'),
      choices,
    });
  }

  /** Maps a ChoicePrompt result back to the id the code knows. */
  protected chosenId(step: WaterfallStepContext, choiceIds: readonly ChoiceId[]): ChoiceId | undefined {
    const result = step.result as { index?: number } | undefined;
    return result?.index === undefined ? undefined : choiceIds[result.index];
  }

  protected async askYesNo(step: WaterfallStepContext, template: string, data: Record<string, unknown> = {}): Promise<DialogTurnResult> {
    return step.prompt(CONFIRM_PROMPT, {
      prompt: this.render(step.context, template, data),
      retryPrompt: this.render(step.context, 'general.yesOrNo'),
    });
  }

  /** Entity of a kind the customer already gave in the message that started the dialog. */
  protected entityText(context: TurnContext, kind: string): string | undefined {
    return getTurnInsight(context).understanding.entities.find((entity) => entity.kind === kind)?.text;
  }
}
