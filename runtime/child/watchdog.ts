// Ends the child within ~25 ms of its parent's death, even while the main thread is stuck in a busy loop, where
// the kernel cannot be asked to (no setpriv with --pdeathsig: see spawn.ts).
import type * as WorkerThreads from 'node:worker_threads';

// A thread of its own, because a busy event loop never notices the channel closing.
const source = `
const { workerData: parent } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 20);
`;

export function watchParent(): void {
  const parent = process.ppid;
  // Loaded only here: a child the kernel ends itself never needs it, and loading it costs every start ~1 ms.
  const { Worker } = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;
  const worker = new Worker(source, {
    eval: true,
    workerData: parent,
    stdout: true,
    stderr: true,
  });
  // The watchdog must never be the reason a worker dies.
  worker.on('error', () => {});
  worker.unref();
}
