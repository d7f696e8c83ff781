// A module that spawns its own class at top level: loading it in the child must not start it again, forever.
import { procxy } from 'procxy';

export class Recursive {
  ping() {
    return 'pong';
  }
}

const worker = await procxy(Recursive);
console.log(await worker.ping());
await worker.$terminate();
