/**
 * The worker-thread side of ThreadedRecognizer: a Piscina task module that loads the NLU models
 * once and then answers one message per task. Piscina waits for the exported promise before it
 * gives the thread any work.
 *
 * The main thread made sure the models exist before it started the pool, so a thread only loads
 * them (it never trains). A thread started later (after a crash) reads the files as they are then.
 */
import { workerData } from 'piscina';
import { loadTrainedRecognizer } from '../load-recognizer';
import type { Understanding } from '../types';
import type { RecognizerTask, RecognizerThreadData } from './threaded-recognizer';

async function start(): Promise<(task: RecognizerTask) => Understanding> {
  const { modelDir } = workerData as RecognizerThreadData;
  const recognizer = await loadTrainedRecognizer(modelDir);
  return ({ text, clock }) => recognizer.understand(text, clock);
}

export = start();
