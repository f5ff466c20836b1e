import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadRecognizer } from '../../nlu/load-recognizer';
import type { Recognizer } from '../../nlu/recognizer';
import { ThreadedRecognizer, type LocalRecognizer, type MainThreadReason, type ThreadedRecognizerOptions, type ThreadsEvent } from '../../nlu/threads/threaded-recognizer';
import type { Understanding } from '../../nlu/types';

const ROOT = path.resolve(__dirname, '..', '..');
const MODELS = path.join(ROOT, 'models');
const FROM_SOURCE = path.join(ROOT, 'test/support/recognizer-thread-from-source.js');
const fixture = (name: string) => path.join(ROOT, 'test/fixtures/nlu-threads', name);

/** A main-thread recognizer whose answers say they came from the main thread. */
const mainThread: LocalRecognizer = {
  understand: (text: string): Understanding => ({
    intent: { intent: `main:${text}`, confidence: 1, alternatives: [] },
    entities: [],
    sentiment: { score: 0, cues: { anger: 0, anxiety: 0, urgency: 0, confusion: 0, gratitude: 0 } },
  }),
};

function recorder(): { reasons: MainThreadReason[]; onMainThread: (reason: MainThreadReason) => void } {
  const reasons: MainThreadReason[] = [];
  return { reasons, onMainThread: (reason) => reasons.push(reason) };
}

/** The fixture threads put their thread id into their answers. */
function threadIdOf(answer: Understanding): unknown {
  return (answer as Understanding & { threadId?: number }).threadId;
}

describe('ThreadedRecognizer', () => {
  let started: ThreadedRecognizer[] = [];
  const start = async (options: Omit<ThreadedRecognizerOptions, 'modelDir'>) => {
    const recognizer = await ThreadedRecognizer.start({ modelDir: MODELS, ...options });
    started.push(recognizer);
    return recognizer;
  };
  afterEach(async () => {
    await Promise.all(started.map((recognizer) => recognizer.close()));
    started = [];
  });

  it('answers on its thread exactly as the shipped models do on the main thread', async () => {
    const local: Recognizer = await loadRecognizer(MODELS, pino({ level: 'silent' }));
    const { reasons, onMainThread } = recorder();
    const threaded = await start({ threads: 1, local: mainThread, threadModule: FROM_SOURCE, onMainThread });
    const messages = ['my card still has not arrived', 'someone stole my card!!! do something NOW', 'I was charged £25 twice on 3 March at Tesco', 'thanks, that helped', ''];
    for (const text of messages) expect(await threaded.understand(text)).toEqual(local.understand(text));
    // The customer's clock reaches the thread: 23:00 on 14 March in UTC−8 is the 15th in UTC.
    const clock = { at: new Date('2025-03-15T07:00:00Z'), utcOffsetMinutes: -480 };
    expect((await threaded.understand('I paid yesterday', clock)).entities).toEqual([{ kind: 'date', text: 'yesterday', value: '2025-03-13' }]);
    expect(reasons).toEqual([]);
  });

  it('answers on the main thread when a thread fails', async () => {
    const { reasons, onMainThread } = recorder();
    const threaded = await start({ threads: 1, local: mainThread, threadModule: fixture('failing-thread.js'), onMainThread });
    expect((await threaded.understand('where is my card')).intent.intent).toBe('main:where is my card');
    expect(reasons).toEqual(['failed']);
  });

  it('answers on the main thread when a thread does not answer in time, and replaces the thread', async () => {
    const { reasons, onMainThread } = recorder();
    const threaded = await start({ threads: 1, local: mainThread, threadModule: fixture('spins-on-request.js'), timeoutMs: 200, onMainThread });
    const before = await threaded.understand('before');
    expect(before.intent.intent).toBe('from_thread');
    const began = Date.now();
    expect((await threaded.understand('spin')).intent.intent).toBe('main:spin');
    // The timeout, plus at most the window of messages that share one deadline.
    expect(Date.now() - began).toBeLessThan(2000);
    expect(reasons).toEqual(['timeout']);
    // The next message is answered by a new thread.
    const after = await threaded.understand('after');
    expect(after.intent.intent).toBe('from_thread');
    expect(threadIdOf(after)).not.toBe(threadIdOf(before));
    expect(reasons).toEqual(['timeout']);
  });

  it('gives the threads up when a replacement cannot start, answers on the main thread at once, and tries new threads later', async () => {
    const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-nlu-threads-'));
    try {
      const { reasons, onMainThread } = recorder();
      const events: ThreadsEvent[] = [];
      const eventSeen = (kind: ThreadsEvent['kind']) =>
        new Promise<void>((resolve) => {
          const check = setInterval(() => {
            if (events.some((event) => event.kind === kind)) resolve(clearInterval(check));
          }, 10);
        });
      const threaded = await ThreadedRecognizer.start({ threads: 1, modelDir, local: mainThread, threadModule: fixture('fails-when-replaced.js'), timeoutMs: 200, retryAfterMs: 50, onMainThread, onThreadsEvent: (event) => events.push(event) });
      started.push(threaded);
      // The stuck thread is ended at the timeout; its replacement fails to load.
      expect((await threaded.understand('spin')).intent.intent).toBe('main:spin');
      await eventSeen('lost');
      expect(events[0]).toMatchObject({ kind: 'lost', error: expect.objectContaining({ message: 'the models could not be loaded' }), retryInMs: 50 });
      // No waiting for a timeout while the threads are lost.
      const began = Date.now();
      expect((await threaded.understand('meanwhile')).intent.intent).toBe('main:meanwhile');
      expect(Date.now() - began).toBeLessThan(100);
      expect(reasons).toContain('unavailable');
      // New threads are tried again (and fail, with a longer pause) until the models are back.
      const retried = () => events.filter((event) => event.kind === 'lost').length >= 2;
      while (!retried()) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(events[1]).toMatchObject({ kind: 'lost', retryInMs: 100 });
      fs.rmSync(path.join(modelDir, 'refuse'));
      await eventSeen('back');
      expect((await threaded.understand('back again')).intent.intent).toBe('from_thread');
    } finally {
      fs.rmSync(modelDir, { recursive: true, force: true });
    }
  });

  it('answers on the main thread, at once, when the thread already has its queue full', async () => {
    const { reasons, onMainThread } = recorder();
    const threaded = await start({ threads: 1, local: mainThread, threadModule: fixture('slow-thread.js'), queuePerThread: 1, onMainThread });
    // Started before the burst, so the thread is known to be up and busy with it.
    const first = threaded.understand('first');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const burst = await Promise.all(['a', 'b', 'c'].map((text) => threaded.understand(text)));
    expect((await first).intent.intent).toBe('from_thread');
    // One message waits for the thread; the two beyond the queue are answered on the main thread.
    expect(burst.map((answer) => answer.intent.intent)).toEqual(['from_thread', 'main:b', 'main:c']);
    expect(reasons).toEqual(['busy', 'busy']);
  });

  it('answers on the main thread after close, without reporting a fault', async () => {
    const { reasons, onMainThread } = recorder();
    const threaded = await start({ threads: 1, local: mainThread, threadModule: fixture('slow-thread.js'), onMainThread });
    const waiting = threaded.understand('in flight');
    await threaded.close();
    expect((await waiting).intent.intent).toBe('main:in flight');
    expect((await threaded.understand('after')).intent.intent).toBe('main:after');
    expect(reasons).toEqual([]);
  });

  it('does not start when a thread cannot load, so the caller keeps NLU on the main thread', async () => {
    await expect(ThreadedRecognizer.start({ threads: 1, modelDir: MODELS, local: mainThread, threadModule: fixture('broken-thread.js') })).rejects.toThrow(/the models could not be loaded/);
  });

  it('refuses a thread count that is not a positive whole number', async () => {
    await expect(ThreadedRecognizer.start({ threads: 0, modelDir: MODELS, local: mainThread })).rejects.toThrow(/threads must be a positive integer/);
  });
});
