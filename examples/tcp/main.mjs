// A TCP server that hands each connection to one of several children (OS handles), and a client that checks them.
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { procxy } from 'procxy';
import { Handler } from './handler.mjs';

const workerCount = 3;
const connections = 6;

const workers = await Promise.all(
  Array.from({ length: workerCount }, () =>
    procxy(Handler, new URL('./handler.mjs', import.meta.url), { supportHandles: true }),
  ),
);
let next = 0;
// pauseOnConnect: the parent never reads a byte, so the child receives the connection's data from the first one.
const server = createServer({ pauseOnConnect: true }, (socket) => {
  const worker = workers[next++ % workers.length];
  worker.adopt(socket).catch((error) => {
    console.error(`handing a connection to worker ${worker.$pid} failed: ${error.message}`);
    process.exitCode = 1;
  });
});

/** One client: sends n, reads one line, returns it. */
async function ask(port, n) {
  const socket = createConnection(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.write(`${n}\n`);
  let reply = '';
  for await (const chunk of socket) {
    reply += chunk;
    if (reply.includes('\n')) break;
  }
  socket.destroy();
  return reply.trim();
}

try {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const pids = new Set(workers.map((w) => w.$pid));
  const answered = new Set();
  for (let n = 1; n <= connections; n++) {
    const [pid, square] = (await ask(port, n)).split(' ').map(Number);
    if (square !== n * n || !pids.has(pid)) throw new Error(`connection ${n}: wrong answer ${pid} ${square}`);
    answered.add(pid);
    console.log(`connection ${n}: ${n}^2 = ${square} from worker ${pid}`);
  }
  const served = await Promise.all(workers.map((w) => w.served()));
  console.log(`connections per worker: ${served.join(', ')}`);
  if (answered.size !== workerCount) throw new Error('not every worker answered');
  console.log('tcp: ok');
} finally {
  server.close();
  await Promise.all(workers.map((w) => w.$terminate()));
}
