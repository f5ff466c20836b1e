import { ConversationState, MemoryStorage, TestAdapter, type TurnContext } from 'botbuilder';
import { Dialog, WaterfallDialog, type DialogState, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';
import { TaskDialogSet } from '../../dialogs/task-dialog-set';

describe('TaskDialogSet', () => {
  it('builds the memory-scope configuration once, and conversations sharing it keep their own dialog state', async () => {
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
    const logic = async (context: TurnContext) => {
      const dialogContext = await dialogs.createContext(context);
      configurations.push(dialogContext.state.configuration);
      // Memory scopes read and write this turn's own state through the shared configuration.
      if (dialogContext.activeDialog === undefined) {
        await dialogContext.beginDialog('ask');
        dialogContext.state.setValue('dialog.first', context.activity.text);
      } else {
        await dialogContext.continueDialog();
      }
      await conversationState.saveChanges(context);
    };
    const ada = new TestAdapter(logic, { conversation: { id: 'conversation-ada', isGroup: false, conversationType: 'personal', name: '' } });
    const bob = new TestAdapter(logic, { conversation: { id: 'conversation-bob', isGroup: false, conversationType: 'personal', name: '' } });

    // Interleaved: each turn of one conversation runs between two turns of the other.
    await ada.send('hi from Ada').assertReply('What is your name?').startTest();
    await bob.send('hi from Bob').assertReply('What is your name?').startTest();
    await ada.send('Ada').assertReply('Hello Ada, you said "hi from Ada" first.').startTest();
    await bob.send('Bob').assertReply('Hello Bob, you said "hi from Bob" first.').startTest();

    expect(configurations).toHaveLength(4);
    expect(new Set(configurations).size).toBe(1);
    expect(configurations[0]!.memoryScopes.length).toBeGreaterThan(0);
  });
});
