// What a generated child entry imports: serve a worker class through a dispatch table fixed at build time.
import { ResolutionFailure, startChild, type WorkerClass } from './link.js';

export type { PassableHandle } from '../types.js';
export { onHandle, type WorkerClass } from './link.js';

export interface ServeOptions {
  readonly Class: WorkerClass;
  /** The dispatch table: call index i runs `methods[i]`. */
  readonly methods: readonly string[];
  /**
   * The methods whose declared result is void or undefined (awaited): their caller is answered with no value, whatever
   * their JavaScript returned (a `set(): void` that returns `this` for chaining has done its work all the same).
   */
  readonly voids?: readonly string[];
}

/** Serves `Class` in this process; call once at the top level of a generated child entry. */
export function serve({ Class, methods, voids = [] }: ServeOptions): void {
  startChild(async (init) => {
    if (init.className !== Class.name) {
      throw new ResolutionFailure(
        `This child serves ${Class.name}, but the parent asked for ${init.className}`,
      );
    }
    return { Class, methods, voids };
  });
}
