// A worker that never finishes starting.

export class StuckConstructor {
  constructor() {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {}
  }
}
