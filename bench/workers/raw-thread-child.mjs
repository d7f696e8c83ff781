// Worker-thread side of the raw worker_threads row: postMessage (structured clone) both ways.
import { parentPort } from 'node:worker_threads';
import { Calc } from './calc.mjs';
import { dispatch } from './dispatch.mjs';

const calc = new Calc();
const reply = (message) => parentPort.postMessage(message);
parentPort.on('message', (message) => dispatch(calc, message, reply));
