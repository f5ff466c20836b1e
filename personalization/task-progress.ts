/**
 * How a task dialog reports its progress so a customer can resume it later, on any linked channel.
 * The dialog notes each answer on the turn; the pipeline writes it to the profile once, after the
 * turn, so a dialog step never waits for storage.
 */
import type { TurnContext } from 'botbuilder';
import type { TaskStepValue } from '../storage/ports';

export type TaskProgressChange =
  | { readonly kind: 'saved'; readonly dialogId: string; readonly steps: Readonly<Record<string, TaskStepValue>> }
  | { readonly kind: 'finished'; readonly dialogId: string };

export class TaskProgress {
  private last?: TaskProgressChange;

  /** The steps done so far (all of them, not only this turn's). */
  saved(dialogId: string, steps: Readonly<Record<string, TaskStepValue>>): void {
    this.last = { kind: 'saved', dialogId, steps: { ...steps } };
  }

  /** The task is done (or abandoned on purpose): nothing to resume. */
  finished(dialogId: string): void {
    this.last = { kind: 'finished', dialogId };
  }

  get change(): TaskProgressChange | undefined {
    return this.last;
  }
}

const TASK_PROGRESS_KEY = Symbol('attune.taskProgress');

export function setTaskProgress(context: TurnContext, progress: TaskProgress): void {
  context.turnState.set(TASK_PROGRESS_KEY, progress);
}

/** Undefined outside the pipeline (e.g. a dialog test): progress is then simply not kept. */
export function taskProgressOf(context: TurnContext): TaskProgress | undefined {
  return context.turnState.get(TASK_PROGRESS_KEY) as TaskProgress | undefined;
}
