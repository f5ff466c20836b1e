/**
 * Base of every task dialog: renders replies and prompts from content in the turn's tone, so a
 * dialog's code holds the flow and the .lg files hold the words.
 */
import type { Activity, TurnContext } from 'botbuilder';
import { ComponentDialog, ListStyle, type Choice, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ContentLibrary } from '../content/content-library';
import { ContentChoicePrompt, ContentConfirmPrompt, templateRef, type ContentPromptOptions, type RenderTemplate } from './content-prompts';
import { getTurnInsight } from './turn-insight';

export const CHOICE_PROMPT = 'choicePrompt';
export const CONFIRM_PROMPT = 'confirmPrompt';

/** A choice the dialog's code recognises by `id`; its label comes from content (`choice.<id>`). */
export type ChoiceId = string;

export abstract class TaskDialog extends ComponentDialog {
  /** How this dialog's prompts render the templates they keep in dialog state. */
  protected readonly renderTemplate: RenderTemplate = (context, ref) => this.render(context, ref.template, ref.data);

  protected constructor(
    id: string,
    protected readonly content: ContentLibrary,
  ) {
    super(id);
    if (!content) throw new Error(`[${id}]: Missing parameter. content is required`);
    const choicePrompt = new ContentChoicePrompt(CHOICE_PROMPT, this.renderTemplate);
    // Buttons where the channel has them; ChoiceFactory falls back to a numbered list elsewhere.
    choicePrompt.style = ListStyle.auto;
    this.addDialog(choicePrompt);
    this.addDialog(new ContentConfirmPrompt(CONFIRM_PROMPT, this.renderTemplate));
  }

  /** Sends the template as a message in this turn's tone. */
  protected async say(context: TurnContext, template: string, data: Record<string, unknown> = {}): Promise<void> {
    await context.sendActivity(this.render(context, template, data));
  }

  protected render(context: TurnContext, template: string, data: Readonly<Record<string, unknown>> = {}): Partial<Activity> {
    const insight = getTurnInsight(context);
    return this.content.render({
      template,
      tone: insight.tone,
      locale: insight.locale,
      channel: insight.channel,
      data: { ...insight.templateData, ...data },
      audience: insight.audience,
    });
  }

  /** Asks a question with choices; the step after it receives the chosen id in `result`. */
  protected async askChoice(step: WaterfallStepContext, template: string, choiceIds: readonly ChoiceId[], data: Record<string, unknown> = {}): Promise<DialogTurnResult> {
    const insight = getTurnInsight(step.context);
    const choices: Choice[] = choiceIds.map((id) => ({
      value: this.content.text({ template: `choice.${id}`, tone: 'neutral', locale: insight.locale, channel: insight.channel }),
      synonyms: [id],
    }));
    const options: ContentPromptOptions = { ask: templateRef(template, data), retry: templateRef('general.pickAnOption'), choices };
    return step.prompt(CHOICE_PROMPT, options);
  }

  /** Maps a ChoicePrompt result back to the id the code knows. */
  protected chosenId(step: WaterfallStepContext, choiceIds: readonly ChoiceId[]): ChoiceId | undefined {
    const result = step.result as { index?: number } | undefined;
    return result?.index === undefined ? undefined : choiceIds[result.index];
  }

  protected async askYesNo(step: WaterfallStepContext, template: string, data: Record<string, unknown> = {}): Promise<DialogTurnResult> {
    const options: ContentPromptOptions = { ask: templateRef(template, data), retry: templateRef('general.yesOrNo') };
    return step.prompt(CONFIRM_PROMPT, options);
  }

  /** Entity of a kind the customer already gave in the message that started the dialog. */
  protected entityText(context: TurnContext, kind: string): string | undefined {
    return getTurnInsight(context).understanding.entities.find((entity) => entity.kind === kind)?.text;
  }
}
