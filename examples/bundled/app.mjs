// The bundled app: imports the stub the esbuild plugin generates (no generated file on disk), then calls the worker.
import { spawnSorter } from './sorter.worker.procxy.js';

const sorter = await spawnSorter();
try {
  const sorted = await sorter.sort(['pear', 'apple', 'fig', 'apple']);
  console.log(`sorted in pid ${await sorter.pid()} (this process is ${process.pid}): ${sorted.join(' ')}`);
  if (sorted.join(' ') !== 'apple fig pear') throw new Error('the bundled stub answered wrongly');
  console.log('bundled: ok');
} finally {
  await sorter.$terminate();
}
