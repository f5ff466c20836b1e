/**
 * The worker-thread side of ThreadedRecognizer: a Piscina task module that loads the NLU models
 * once and then answers one message per task. Piscina waits for the exported promise before it
 * gives the thread any work.
 *
 * The main thread made sure the models exist before it started the pool, so a thread only loads
 * them (it never trains). A thread started later (after a crash) reads the files as they are then.
 */
import path from 'node:path';
import { workerData } from 'piscina';
import { extractEntities } from '../entities';
import { loadIntentModel } from '../intent';
import { Recognizer } from '../recognizer';
import { loadSentimentAnalyzer } from '../sentiment';
import type { Understanding } from '../types';
import type { RecognizerThreadData } from './threaded-recognizer';

async function start(): Promise<(text: string) => Understanding> {
  const { modelDir } = workerData as RecognizerThreadData;
  const [classifier, sentiment] = await Promise.all([loadIntentModel(path.join(modelDir, 'intent')), loadSentimentAnalyzer(path.join(modelDir, 'sentiment'))]);
  const recognizer = new Recognizer(classifier, sentiment, extractEntities);
  return (text) => recognizer.understand(text);
}

export = start();
