// Lets a child reuse the memory of the binaries it received and dropped, instead of taking fresh pages for each.
/*
 * V8 frees a dead ArrayBuffer's memory only when it collects garbage, and it counts binary memory towards a
 * collection only in steps of 64 MiB: a child that receives large binaries and does little else takes fresh pages
 * for each of the first ~64 MiB of them, and again after every full collection it outgrows. A fresh page costs a
 * fault (about 0.6 ms per MiB on this project's VMs, as much as the bytes' whole trip). So once a few MiB were
 * received since the last time, the child collects its young generation when the frame that crossed the line has
 * been handled (at setImmediate: a method that answered at once is done with its binaries by then). The memory of
 * the binaries dropped since is freed (V8 does that on a thread of its own, in the gap before the next message) and
 * the next ones land in it (glibc keeps it, see allocatorTunables). Not earlier: a binary still being filled or used
 * when the collection runs would survive it and, promoted, wait for a full collection. Only in the child: the
 * parent's heap is its owner's business.
 */
import type * as Vm from 'node:vm';
import { v8 } from '../builtins.js';

/** Segment bytes received between two collections: enough to make one cost little beside the pages it saves. */
const collectEveryBytes = 4 * 1024 * 1024;

type Collect = (options: { type: 'minor' }) => void;

let received = 0;
let collect: Collect | null | undefined;

/** The young-generation collection, exposed in a context of its own so that the worker's globals stay as they are. */
function collector(): Collect | null {
  try {
    // Loaded only by a child that receives large binaries: every child starts sooner without it.
    const { runInNewContext } = process.getBuiltinModule('node:vm') as typeof Vm;
    v8().setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as Collect;
  } catch {
    return null;
  }
}

let scheduled = false;

function collectYoung(): void {
  scheduled = false;
  collect ??= collector();
  collect?.({ type: 'minor' });
}

/** Called with the size of a received frame's segments once the frame was handled. */
export function receivedSegments(bytes: number): void {
  received += bytes;
  if (received < collectEveryBytes || scheduled) return;
  received = 0;
  scheduled = true;
  setImmediate(collectYoung);
}
