// Child of the raw fork rows: Node's own IPC channel (json or advanced, chosen by the parent's fork options).
import { Calc } from './calc.mjs';
import { dispatch } from './dispatch.mjs';

const calc = new Calc();
const reply = (message) => process.send(message);
process.on('message', (message) => dispatch(calc, message, reply));
