// Child of the birpc row: birpc with its defaults, carried over Node's fork IPC (json serialization).
import { createBirpc } from 'birpc';
import { Calc } from './calc.mjs';
import { methodsOf } from './methods.mjs';

createBirpc(methodsOf(new Calc()), {
  post: (data) => process.send(data),
  on: (fn) => process.on('message', fn),
});
