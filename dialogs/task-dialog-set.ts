/**
 * A DialogSet whose dialog contexts share one memory-scope configuration. botbuilder builds that
 * configuration afresh for every DialogContext (a service collection of nine memory scopes and five
 * path resolvers, and a schema check that fails and builds its error each time): about a twentieth
 * of a turn's CPU, for objects that hold no state of their own (they read the turn's state when
 * asked). botbuilder reuses a configuration it finds in the turn state, so the first one built is
 * put there for every later turn.
 */
import type { TurnContext } from 'botbuilder';
import { DialogSet, type DialogContext, type DialogStateManagerConfiguration } from 'botbuilder-dialogs';

/** The turn-state key botbuilder-dialogs keeps the configuration under (dialogStateManager.js; not exported). */
const CONFIGURATION_KEY = 'DialogStateManagerConfiguration';

export class TaskDialogSet extends DialogSet {
  private configuration: DialogStateManagerConfiguration | undefined;

  override async createContext(context: TurnContext): Promise<DialogContext> {
    if (this.configuration !== undefined && !context.turnState.has(CONFIGURATION_KEY)) context.turnState.set(CONFIGURATION_KEY, this.configuration);
    const dialogContext = await super.createContext(context);
    this.configuration ??= dialogContext.state.configuration;
    return dialogContext;
  }
}
