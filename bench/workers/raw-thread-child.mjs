// Worker-thread side of the raw worker_threads rows: postMessage (structured clone) both ways; with
// workerData.transfer, a binary result's memory is moved back in the transferList instead of copied.
import { parentPort, workerData } from 'node:worker_threads';
import { Calc } from './calc.mjs';
import { dispatch } from './dispatch.mjs';

const calc = new Calc();
const reply = workerData?.transfer
  ? (message) => parentPort.postMessage(message, ArrayBuffer.isView(message.r) ? [message.r.buffer] : [])
  : (message) => parentPort.postMessage(message);
parentPort.on('message', (message) => dispatch(calc, message, reply));
