// A parent run under a low `ulimit -n`: it hands a socket to a worker that has no file descriptor left, then another
// once the worker freed them. Prints what each call did as one JSON line.
import { once } from 'node:events';
import net from 'node:net';
import { procxy } from 'procxy';
import { Handles } from './handles.mjs';

const server = net.createServer({ pauseOnConnect: true });
server.listen(0, '127.0.0.1');
await once(server, 'listening');

async function accepted() {
  const connection = once(server, 'connection');
  const client = net.connect(server.address().port, '127.0.0.1');
  await once(client, 'connect');
  const [socket] = await connection;
  return { client, socket };
}

const outcome = (promise) =>
  promise.then(
    (value) => ({ value }),
    (error) => ({ name: error.constructor.name, path: error.path, message: error.message }),
  );

// The timeout only keeps a broken run from hanging: the refusal must come long before it.
const worker = await procxy(Handles, new URL('./handles.mjs', import.meta.url), {
  supportHandles: true,
  timeout: 20_000,
});
const first = await accepted();
const filled = await worker.fillFds();
const refused = await outcome(worker.describeAll(first.socket));
const later = await outcome(worker.describeAll('after'));
await worker.freeFds();
const second = await accepted();
const taken = await outcome(worker.describeAll(second.socket));
process.stdout.write(
  `${JSON.stringify({ filled: filled > 0, refused, later, taken: taken.value?.[0]?.kind, firstClosed: first.socket.destroyed })}\n`,
);
await worker.$terminate();
first.client.destroy();
second.client.destroy();
server.close();
