import { ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { Dialog, WaterfallDialog, type DialogState, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import { TaskDialogSet } from '../../dialogs/task-dialog-set';

describe('TaskDialogSet', () => {
  it('builds the memory-scope configuration once and shares it with every later turn, dialogs working as before', async () => {
    const conversationState = new ConversationState(new MemoryStorage());
    const dialogs = new TaskDialogSet(conversationState.createProperty<DialogState>('dialogState'));
    dialogs.add(
      new WaterfallDialog('ask', [
        async (step) => {
          await step.context.sendActivity('What is your name?');
          return Dialog.EndOfTurn;
        },
        async (step) => {
          await step.context.sendActivity(`Hello ${String(step.context.activity.text)}, you said "${String(step.state.getValue('dialog.first'))}" first.`);
          return step.endDialog();
        },
      ]),
    );
    const configurations: DialogStateManagerConfiguration[] = [];
    const adapter = new TestAdapter(async (context: TurnContext) => {
      const dialogContext = await dialogs.createContext(context);
      configurations.push(dialogContext.state.configuration);
      // Memory scopes still read and write this turn's state through the shared configuration.
      if (dialogContext.activeDialog === undefined) {
        await dialogContext.beginDialog('ask');
        dialogContext.state.setValue('dialog.first', context.activity.text);
      } else {
        await dialogContext.continueDialog();
      }
      await conversationState.saveChanges(context);
    });

    await adapter.send('hi').assertReply('What is your name?').send('Ada').assertReply('Hello Ada, you said "hi" first.');

    expect(configurations).toHaveLength(2);
    expect(configurations[1]).toBe(configurations[0]);
    expect(configurations[0].memoryScopes.length).toBeGreaterThan(0);
  });
});
