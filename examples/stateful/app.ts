// A long-lived worker through its generated stub: state across calls, typed events, progress, AbortSignal cancellation.
import { AbortError } from 'procxy';
import { spawnIndexer } from './indexer.procxy.js';

const documents = Array.from(
  { length: 8 },
  (_, i) => `the quick fox ${i % 2 ? 'jumps' : 'naps'} over the dog`,
);

await using indexer = await spawnIndexer();
let events = 0;
// Typed from the class's event map: `stats` is an IndexStats, a wrong event name would not compile.
indexer.on('indexed', (stats) => {
  events++;
  if (events === 1) console.log(`event 'indexed': ${stats.documents} document(s), ${stats.words} words`);
});

const progress: string[] = [];
const count = await indexer.index(documents, (done, total) => progress.push(`${done}/${total}`));
console.log(`indexed ${count} documents; progress ${progress.join(' ')}`);
console.log(`top words: ${JSON.stringify(await indexer.top(3))}`);

// Cancel a second batch after a few documents: the call rejects at once and the child's signal aborts.
const controller = new AbortController();
try {
  await indexer.index(
    documents,
    (done) => {
      if (done === 3) controller.abort(new Error('enough for now'));
    },
    controller.signal,
  );
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
