// The worker of the "procxy advanced + transfer()" row: Calc whose echo moves the received memory back, not a copy.
import { transfer } from 'procxy/transfer';
import { Calc } from './calc.mjs';

export class CalcTransfer extends Calc {
  echo(value) {
    return ArrayBuffer.isView(value) ? transfer(value, [value.buffer]) : value;
  }
}
