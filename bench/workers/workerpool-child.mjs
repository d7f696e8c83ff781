// Child of the workerpool row: workerpool's own worker loop in a forked process.
import workerpool from 'workerpool';
import { Calc } from './calc.mjs';
import { methodsOf } from './methods.mjs';

workerpool.worker(methodsOf(new Calc()));
