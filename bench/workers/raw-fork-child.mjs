// Child of the raw fork rows: Node's own IPC channel (json or advanced, chosen by the parent's fork options).
// With --base64 (the json row), Buffer arguments and results travel as base64 strings (base64.mjs).
import { fromWire, toWire } from './base64.mjs';
import { Calc } from './calc.mjs';
import { dispatch } from './dispatch.mjs';

const calc = new Calc();
if (process.argv.includes('--base64')) {
  const reply = (message) => process.send('r' in message ? { i: message.i, r: toWire(message.r) } : message);
  process.on('message', (message) => dispatch(calc, { ...message, a: message.a.map(fromWire) }, reply));
} else {
  const reply = (message) => process.send(message);
  process.on('message', (message) => dispatch(calc, message, reply));
}
