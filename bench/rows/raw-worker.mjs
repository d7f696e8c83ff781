// Rows "raw worker_threads" and "raw worker_threads + transferList": a Worker and postMessage with the same
// hand-written id map as the raw fork rows; the second moves binary arguments and results instead of copying them.
import { Worker } from 'node:worker_threads';
import { binaryScenarios } from '../scenarios.mjs';
import { rpcClient } from './rpc-client.mjs';

const childUrl = new URL('../workers/raw-thread-child.mjs', import.meta.url);

function rawWorkerRow(transfer) {
  return {
    id: transfer ? 'raw-worker-transfer' : 'raw-worker',
    label: transfer ? 'raw worker_threads + transferList' : 'raw worker_threads',
    ...(transfer ? { scenarios: binaryScenarios, transfers: true } : {}),
    describe: transfer
      ? 'as raw worker_threads, but postMessage(message, [buffer.buffer]) both ways: the parent moves a fresh Buffer per call, the worker moves the echoed bytes back (S3 only: for everything else it is the row above)'
      : 'new Worker(script) in the same process; {i, m, a} / {i, r} with postMessage (structured clone, so a Buffer is copied and arrives as a Uint8Array); the same id -> promise map as the raw fork rows',
    async start() {
      const worker = new Worker(childUrl, { workerData: { transfer } });
      const client = rpcClient(
        transfer
          ? (message) =>
              worker.postMessage(
                message,
                message.a.filter((a) => ArrayBuffer.isView(a)).map((a) => a.buffer),
              )
          : (message) => worker.postMessage(message),
      );
      worker.on('message', (message) => client.receive(message));
      worker.on('error', (err) => client.failAll(err));
      worker.once('exit', (code) =>
        client.failAll(new Error(`worker exited (code ${code}) with calls pending`)),
      );
      return {
        call: (m, a) => client.call(m, a),
        close: async () => {
          await worker.terminate();
        },
      };
    },
  };
}

export const rawWorker = rawWorkerRow(false);
export const rawWorkerTransfer = rawWorkerRow(true);
