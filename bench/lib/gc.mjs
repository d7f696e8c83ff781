// GC between measurements, so that garbage one row leaves behind is not collected on the next row's clock. A full
// GC costs ~20 ms on this heap and the runner asks hundreds of times a round, so it runs only once the heap (or the
// memory outside it: Buffers) has grown by `fullAfterBytes` since the last one; otherwise the young generation,
// where a slice's garbage lands first, is collected alone.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { untilIdle } from './cpu.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const fullAfterBytes = 16 * 1024 * 1024;

const inUse = () => {
  const { used_heap_size, external_memory } = getHeapStatistics();
  return used_heap_size + external_memory;
};
let afterFull = 0;

export function collectGarbage() {
  if (inUse() - afterFull > fullAfterBytes) {
    gc();
    afterFull = inUse();
  } else {
    gc({ type: 'minor' });
  }
}

/**
 * collectGarbage, then a wait until what V8 finishes on threads of its own after it (marking, sweeping, freeing the
 * memory of dead buffers) is done, so that it does not run on the clock of the next call: until this process used
 * less than a quarter of a CPU over a millisecond (its main thread sleeps meanwhile), 50 ms at most. A fixed 2 ms
 * was not enough once the heap held more (after S1, S2 and S4): the rows whose calls allocate most in this process
 * were timed with the collection's end.
 */
export async function collectGarbageSettled() {
  collectGarbage();
  await untilIdle(() => {
    const { user, system } = process.cpuUsage();
    return user + system;
  });
}
