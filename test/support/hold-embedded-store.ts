/**
 * Run by tests as a separate process (see embedded-store.test.ts): opens the embedded store in the
 * directory given as the first argument, writes a conversation, a turn and some bot state, prints
 * READY, and then holds the store open until it is killed.
 */
import { createStore } from '../../storage/create-store';
import { aConversation, aTurn } from './fixtures';

async function main(dataDir: string): Promise<void> {
  const store = await createStore({ kind: 'embedded', dataDir });
  await store.conversations.open(aConversation({ id: 'webchat:held' }));
  await store.turns.append([aTurn({ id: 'held-turn', conversationId: 'webchat:held' })]);
  await store.botState.write({ held: { step: 2 } });
  process.stdout.write(`READY ${process.pid}\n`);
  setInterval(() => undefined, 60_000); // keep the process (and the lock) alive until killed
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
