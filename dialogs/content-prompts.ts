/**
 * Prompts that keep only what to ask in dialog state (a content template and its data) and
 * render it each time they ask: the first time and on every retry. botbuilder keeps a prompt's
 * options in dialog state, and ConversationState hashes, serialises and stores all of it on every
 * turn; a rendered activity (text, speak, channelData, hints) is several hundred bytes, a template
 * reference a few dozen. A retry is also rendered in the tone of the turn it happens in.
 */
import { InputHints, type Activity, type TurnContext } from 'botbuilder';
import { ChoicePrompt, ConfirmPrompt, TextPrompt, type FoundChoice, type PromptOptions, type PromptValidator } from 'botbuilder-dialogs';

/** A reply to render later: a content template and the data it needs. */
export interface TemplateRef {
  readonly template: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Prompt options as dialog state keeps them: templates instead of rendered activities. */
export interface ContentPromptOptions extends PromptOptions {
  readonly ask: TemplateRef;
  readonly retry?: TemplateRef;
}

/** Renders a template for this turn (tone, locale, channel and audience of the turn). */
export type RenderTemplate = (context: TurnContext, ref: TemplateRef) => Partial<Activity>;

/** A template reference that stores no empty data. */
export function templateRef(template: string, data: Readonly<Record<string, unknown>> = {}): TemplateRef {
  return Object.keys(data).length === 0 ? { template } : { template, data };
}

const ASKED_AGAIN_KEY = Symbol('attune.promptAskedAgain');

/**
 * True when a prompt did not accept this turn's answer and asked its question again: the turn
 * failed the customer as much as a misunderstanding does (the frustration meter counts it).
 */
export function promptAskedAgain(context: TurnContext): boolean {
  return context.turnState.get(ASKED_AGAIN_KEY) === true;
}

function noteRetry(context: TurnContext, isRetry: boolean): void {
  if (isRetry) context.turnState.set(ASKED_AGAIN_KEY, true);
}

function expectingInput(activity: Partial<Activity>): Partial<Activity> {
  return activity.inputHint ? activity : { ...activity, inputHint: InputHints.ExpectingInput };
}

/** The options the botbuilder prompt sends from: rendered now. */
function renderedOptions(render: RenderTemplate, context: TurnContext, options: PromptOptions): PromptOptions {
  const { ask, retry, ...rest } = options as Partial<ContentPromptOptions>;
  // State saved before prompts kept templates holds the rendered activities: send those.
  if (ask === undefined) return options;
  return { ...rest, prompt: expectingInput(render(context, ask)), retryPrompt: retry && expectingInput(render(context, retry)) };
}

export class ContentChoicePrompt extends ChoicePrompt {
  constructor(
    dialogId: string,
    private readonly renderTemplate: RenderTemplate,
    validator?: PromptValidator<FoundChoice>,
  ) {
    super(dialogId, validator);
  }

  protected override onPrompt(context: TurnContext, state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    noteRetry(context, isRetry);
    return super.onPrompt(context, state, renderedOptions(this.renderTemplate, context, options), isRetry);
  }
}

export class ContentConfirmPrompt extends ConfirmPrompt {
  constructor(
    dialogId: string,
    private readonly renderTemplate: RenderTemplate,
    validator?: PromptValidator<boolean>,
  ) {
    super(dialogId, validator);
  }

  protected override onPrompt(context: TurnContext, state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    noteRetry(context, isRetry);
    return super.onPrompt(context, state, renderedOptions(this.renderTemplate, context, options), isRetry);
  }
}

export class ContentTextPrompt extends TextPrompt {
  constructor(
    dialogId: string,
    private readonly renderTemplate: RenderTemplate,
    validator?: PromptValidator<string>,
  ) {
    super(dialogId, validator);
  }

  protected override onPrompt(context: TurnContext, state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    noteRetry(context, isRetry);
    return super.onPrompt(context, state, renderedOptions(this.renderTemplate, context, options), isRetry);
  }
}
