/**
 * Prompts keep the template they ask with, not the rendered activity, in dialog state, and render
 * it each time they ask; a prompt saved by an older version (rendered activities in state) still
 * asks again after an upgrade.
 */
import { ConversationState, MemoryStorage, TestAdapter, type Activity, type StoreItems, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { ContentChoicePrompt, templateRef, type ContentPromptOptions, type RenderTemplate } from '../../dialogs/content-prompts';

const PROMPT = 'choice';
const choices = [{ value: 'Red' }, { value: 'Blue' }];

/** Renders "<template> (turn <n>)", so a test sees which turn rendered which template. */
const render: RenderTemplate = (context: TurnContext, ref) => ({ type: 'message', text: `${ref.template} (turn ${String(context.activity.id)})` });

function promptBot(storage: MemoryStorage, options: ContentPromptOptions | { prompt: Partial<Activity>; retryPrompt: Partial<Activity>; choices: typeof choices }) {
  const state = new ConversationState(storage);
  const dialogs = new DialogSet(state.createProperty<DialogState>('dialogState'));
  dialogs.add(new ContentChoicePrompt(PROMPT, render));
  return new TestAdapter(async (context) => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.prompt(PROMPT, options);
    else if (result.status === DialogTurnStatus.complete) await context.sendActivity(`chose ${(result.result as { value: string }).value}`);
    await state.saveChanges(context);
  });
}

async function say(adapter: TestAdapter, text: string, id: string): Promise<string[]> {
  const replies: string[] = [];
  await adapter.send({ type: 'message', text, id });
  for (let reply = adapter.activeQueue.shift(); reply; reply = adapter.activeQueue.shift()) replies.push(reply.text ?? '');
  return replies;
}

describe('content prompts', () => {
  it('keeps the templates in dialog state and renders each ask in the turn it happens', async () => {
    const storage = new MemoryStorage();
    const adapter = promptBot(storage, { ask: templateRef('colour.ask'), retry: templateRef('colour.retry'), choices });

    expect((await say(adapter, 'hi', '1'))[0]).toMatch(/^colour\.ask \(turn 1\)/);
    const saved = JSON.stringify(await storage.read([`test/conversations/${adapter.conversation.conversation.id}/`]));
    expect(saved).toContain('colour.ask');
    expect(saved).not.toContain('(turn 1)');
    expect((await say(adapter, 'green', '2'))[0]).toMatch(/^colour\.retry \(turn 2\)/);
    expect(await say(adapter, 'Blue', '3')).toEqual(['chose Blue']);
  });

  it('still asks again from a prompt saved with rendered activities', async () => {
    const storage = new MemoryStorage();
    const adapter = promptBot(storage, { prompt: { type: 'message', text: 'Which colour?' }, retryPrompt: { type: 'message', text: 'Red or blue?' }, choices });

    expect((await say(adapter, 'hi', '1'))[0]).toMatch(/^Which colour\?/);
    const saved: StoreItems = await storage.read([`test/conversations/${adapter.conversation.conversation.id}/`]);
    expect(JSON.stringify(saved)).toContain('Which colour?');
    expect((await say(adapter, 'green', '2'))[0]).toMatch(/^Red or blue\?/);
    expect(await say(adapter, 'red', '3')).toEqual(['chose Red']);
  });
});
