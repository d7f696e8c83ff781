// A parent that only listens to a worker's events: it exits on its own, the subscription does not hold it.
import { procxy } from 'procxy';
import { Ticker } from './events.mjs';

const w = await procxy(Ticker, new URL('./events.mjs', import.meta.url));
w.on('tick', () => {});
await w.attached('tick');
process.stdout.write('subscribed\n');
