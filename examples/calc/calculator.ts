// A stateful worker with overloads, generics and an inherited method from the user's own base class.
import { Counter } from './counter.js';

export interface Stats {
  readonly count: number;
  readonly mean: number;
}

/** Sums and averages numbers in a child process; counts its calls through its base class. */
export class Calculator extends Counter {
  add(a: number, b: number): number;
  add(a: string, b: string): string;
  add(a: number | string, b: number | string): number | string {
    this.tick();
    return typeof a === 'number' && typeof b === 'number' ? a + b : `${a}${b}`;
  }

  /** Mean of the values; `undefined` for none. */
  stats(values: readonly number[]): Stats | undefined {
    this.tick();
    if (values.length === 0) return undefined;
    return { count: values.length, mean: values.reduce((s, v) => s + v, 0) / values.length };
  }

  /** Returns its argument: shows that generic methods stay generic in the stub. */
  echo<T extends string | number>(value: T): T {
    this.tick();
    return value;
  }
}
