// Rows "raw fork json" and "raw fork advanced": child_process.fork + process.send with a hand-written id map.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { exitError, killAndWait } from './child-process.mjs';
import { rpcClient } from './rpc-client.mjs';

const childPath = fileURLToPath(new URL('../workers/raw-fork-child.mjs', import.meta.url));

function rawForkRow(serialization) {
  return {
    id: `raw-${serialization}`,
    label: `raw fork ${serialization}`,
    describe: `child_process.fork(script, { serialization: '${serialization}' }); the parent sends {i, m, a} with child.send, the child answers {i, r} with process.send; an id -> promise map on the parent side; no validation, no timeouts`,
    async start() {
      const child = fork(childPath, [], { serialization });
      const client = rpcClient((message) => child.send(message));
      child.on('message', (message) => client.receive(message));
      child.once('exit', (code, signal) => client.failAll(exitError(this.label, code, signal)));
      return {
        call: (m, a) => client.call(m, a),
        close: () => killAndWait(child),
      };
    },
  };
}

export const rawJson = rawForkRow('json');
export const rawAdvanced = rawForkRow('advanced');
