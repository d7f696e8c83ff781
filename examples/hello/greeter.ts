// A minimal worker: `procxy generate` turns it into greeter.procxy.ts (typed stub) and its child entry.
import type { Mood } from './mood.js';

/** Greets people from a child process. */
export class Greeter {
  readonly #greeting: string;

  /** @param greeting the word each greeting starts with */
  constructor(greeting = 'Hello') {
    this.#greeting = greeting;
  }

  /**
   * A greeting for one person.
   * @idempotent
   */
  greet(name: string, mood: Mood = 'plain'): string {
    return `${this.#greeting}, ${name}${mood === 'excited' ? '!' : '.'}`;
  }

  /** Greets everybody, in order. */
  greetAll(...names: string[]): string[] {
    return names.map((name) => this.greet(name));
  }

  /** The child's process id, to show that it is another process. */
  async pid(): Promise<number> {
    return process.pid;
  }
}
