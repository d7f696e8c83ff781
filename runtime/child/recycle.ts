// Lets a child reuse the memory of the binaries it received and dropped, instead of taking fresh pages for each.
/*
 * V8 frees a dead ArrayBuffer's memory only when it collects garbage, and it counts binary memory towards a
 * collection only in steps of 64 MiB: a child that receives large binaries and does little else takes fresh pages
 * for each of the first ~64 MiB of them, and again after every full collection it outgrows. A fresh page costs a
 * fault (about 0.6 ms per MiB on this project's VMs, as much as the bytes' whole trip). So before the segments of
 * a frame are allocated, once a few MiB were received since the last time, the child collects its young
 * generation: the segments dropped since then are freed and the next ones land in their memory (glibc keeps it,
 * see allocatorTunables). Only in the child: the parent's heap is its owner's business.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Segment bytes received between two collections: enough to make one cost little beside the pages it saves. */
const collectEveryBytes = 4 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;

let received = 0;
let collect: Collect | null | undefined;

/** The young-generation collection, exposed in a context of its own so that the worker's globals stay as they are. */
function collector(): Collect | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as Collect;
  } catch {
    return null;
  }
}

/** Called with the size of a received frame's segments just before they are allocated. */
export function beforeSegments(bytes: number): void {
  if (received >= collectEveryBytes) {
    collect ??= collector();
    collect?.({ type: 'minor' });
    received = 0;
  }
  received += bytes;
}
