// A deliberately bad worker: the demo runs the generator on it to show what a non-procxiable signature reports.

/** Reports the time from a child process, but with signatures that cannot cross a JSON boundary. */
export class Clock {
  /** A Date is not JSON: it would arrive as a string. */
  now(): Date {
    return new Date();
  }

  /** A function nested in an object cannot be sent; only top-level callbacks can. */
  watch(listener: { onTick: (at: number) => void }): void {
    listener.onTick(Date.now());
  }
}
