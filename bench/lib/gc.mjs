// GC between measurements, so that garbage one row leaves behind is not collected on the next row's clock. A full
// GC costs ~20 ms on this heap and the runner asks hundreds of times a round, so it runs only once the heap (or the
// memory outside it: Buffers) has grown by `fullAfterBytes` since the last one; otherwise the young generation,
// where a slice's garbage lands first, is collected alone.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
 * collectGarbage, then a moment for what V8 finishes on threads of its own after it (sweeping, freeing the memory
 * of dead buffers), so that it does not run on the clock of the next call.
 */
export async function collectGarbageSettled() {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 2));
}
