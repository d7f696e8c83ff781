// A long-lived worker: state kept across calls, events, a progress callback, and cancellation with AbortSignal.
import { AbortError, procxy } from 'procxy';
import { Indexer } from './indexer.mjs';

const documents = Array.from(
  { length: 8 },
  (_, i) => `the quick fox ${i % 2 ? 'jumps' : 'naps'} over the dog`,
);

const indexer = await procxy(Indexer, new URL('./indexer.mjs', import.meta.url), { serialization: 'json' });
try {
  let events = 0;
  indexer.on('indexed', (stats) => {
    events++;
    if (events === 1) console.log(`event 'indexed': ${JSON.stringify(stats)}`);
  });

  const progress = [];
  const count = await indexer.index(documents, (done, total) => progress.push(`${done}/${total}`), undefined);
  console.log(`indexed ${count} documents; progress ${progress.join(' ')}`);
  console.log(`top words: ${JSON.stringify(await indexer.top(3))}`);

  // Cancel a second batch after a few documents: the call rejects at once and the child's signal aborts.
  const controller = new AbortController();
  const cancelled = indexer.index(
    documents,
    (done) => {
      if (done === 3) controller.abort(new Error('enough for now'));
    },
    controller.signal,
  );
  try {
    await cancelled;
    throw new Error('the cancelled call resolved');
  } catch (error) {
    if (!(error instanceof AbortError)) throw error;
    console.log(`cancelled: ${error.name}: ${error.message}`);
  }
  // The worker lives on with its state: the first batch plus what the second indexed before the abort.
  const stats = await indexer.stats();
  console.log(
    `after cancel the same worker holds ${stats.documents} documents, ${stats.words} words; ${events} events`,
  );
  if (stats.documents < documents.length || stats.documents >= 2 * documents.length) {
    throw new Error('the cancelled batch did not stop part-way');
  }
  console.log('stateful: ok');
} finally {
  await indexer.$terminate();
}
