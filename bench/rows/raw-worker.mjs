// Row "raw worker_threads": a Worker and postMessage with the same hand-written id map as the raw fork rows.
import { Worker } from 'node:worker_threads';
import { rpcClient } from './rpc-client.mjs';

const childUrl = new URL('../workers/raw-thread-child.mjs', import.meta.url);

export const rawWorker = {
  id: 'raw-worker',
  label: 'raw worker_threads',
  describe:
    'new Worker(script) in the same process; {i, m, a} / {i, r} with postMessage (structured clone); the same id -> promise map as the raw fork rows',
  async start() {
    const worker = new Worker(childUrl);
    const client = rpcClient((message) => worker.postMessage(message));
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
