// A parent that hands a socket (or, with `plain`, nothing) to a worker started with supportHandles, then forgets it.
import { once } from 'node:events';
import net from 'node:net';
import { procxy } from 'procxy';
import { Handles } from './handles.mjs';

const server = net.createServer({ pauseOnConnect: true });
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const accepted = once(server, 'connection');
const client = net.connect(server.address().port, '127.0.0.1');
await once(client, 'connect');
const [socket] = await accepted;

const worker = await procxy(Handles, new URL('./handles.mjs', import.meta.url), { supportHandles: true });
if (process.argv[2] === 'plain') await worker.mark('plain');
else await worker.adopt(socket);
process.stdout.write(`${JSON.stringify({ child: worker.$pid })}\n`);
client.destroy();
server.close();
