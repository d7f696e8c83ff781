// Row "workerpool": the workerpool peer in process mode with a single worker.
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import { jsonIpcCannot } from './child-process.mjs';

const childPath = fileURLToPath(new URL('../workers/workerpool-child.mjs', import.meta.url));

export const workerpoolRow = {
  id: 'workerpool',
  label: 'workerpool 10 (process)',
  cannot: jsonIpcCannot,
  describe:
    "workerpool.pool(script, { workerType: 'process', maxWorkers: 1 }) and pool.exec(method, args); the pool forks lazily on the first exec and hands a worker one task at a time, so calls beyond the first queue in the parent",
  async start() {
    const pool = workerpool.pool(childPath, { workerType: 'process', maxWorkers: 1 });
    return {
      call: (m, a) => pool.exec(m, a),
      close: async () => {
        await pool.terminate();
      },
    };
  },
};
