// The worker of the "procxy stub" row in TypeScript, for `procxy generate`: the same add as Calc in calc.mjs.
export class Calc {
  add(a: number, b: number): number {
    return a + b;
  }
}
