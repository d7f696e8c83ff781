// A user base class: its public methods become methods of every worker that extends it.
export class Counter {
  #calls = 0;

  protected tick(): void {
    this.#calls++;
  }

  /** How many calls this worker has served. */
  calls(): number {
    return this.#calls;
  }
}
