// A full GC between measurements, so that garbage one row leaves behind is not collected on the next row's clock.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
export const collectGarbage = runInNewContext('gc');
