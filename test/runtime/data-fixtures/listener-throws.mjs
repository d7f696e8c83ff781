// A parent whose event listener throws: the exception is uncaught, the other listener and later calls still work.
import { procxy } from 'procxy';
import { Ticker } from './events.mjs';

const w = await procxy(Ticker, new URL('./events.mjs', import.meta.url));
const result = { uncaught: undefined, laterListener: [], callAfter: undefined };
process.on('uncaughtException', (error) => {
  result.uncaught = error.message;
});
w.on('tick', () => {
  throw new Error('listener failed');
});
w.on('tick', (i) => result.laterListener.push(i));
await w.tick(2);
result.callAfter = await w.tick(5);
await w.$terminate();
process.stdout.write(JSON.stringify(result));
