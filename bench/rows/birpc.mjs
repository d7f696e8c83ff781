// Row "birpc": the birpc peer with its default options, carried over Node's fork IPC in json mode.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBirpc } from 'birpc';
import { exitError, jsonIpcCannot, killAndWait } from './child-process.mjs';

const childPath = fileURLToPath(new URL('../workers/birpc-child.mjs', import.meta.url));

export const birpcRow = {
  id: 'birpc',
  label: 'birpc 4.2 (fork IPC)',
  cannot: jsonIpcCannot,
  describe:
    "createBirpc on both ends with default options (which arm a 60 s timeout timer per call), post = child.send / process.send, on = 'message' listener; fork with serialization 'json'",
  async start() {
    const child = fork(childPath, [], { serialization: 'json' });
    const rpc = createBirpc(
      {},
      {
        post: (data) => child.send(data),
        on: (fn) => child.on('message', fn),
        off: (fn) => child.off('message', fn),
      },
    );
    child.once('exit', (code, signal) => {
      if (!rpc.$closed) rpc.$close(exitError(this.label, code, signal));
    });
    return {
      call: (m, a) => rpc.$call(m, ...a),
      close: async () => {
        rpc.$close();
        await killAndWait(child);
      },
    };
  },
};
