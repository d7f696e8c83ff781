// What a generated child entry imports: serve a worker class through a dispatch table fixed at build time.
import { ResolutionFailure, startChild, type WorkerClass } from './link.js';

export type { PassableHandle } from '../types.js';
export { onHandle, type WorkerClass } from './link.js';

interface ServeTable {
  /** The dispatch table: call index i runs `methods[i]`. */
  readonly methods: readonly string[];
  /**
   * The methods whose declared result is void or undefined (awaited): their caller is answered with no value, whatever
   * their JavaScript returned (a `set(): void` that returns `this` for chaining has done its work all the same).
   */
  readonly voids?: readonly string[];
  /**
   * The class's declared name, which the generated stub sends: the parent must ask for it. Without it the class's
   * `name` is compared, which a class decorator that returns a replacement class (anonymous, or named otherwise)
   * changes.
   */
  readonly className?: string;
}

/**
 * The class, or how to load it: generated entries import the worker module once the child listens to its parent, so
 * that a module that throws while loading fails the start with its error (SpawnError), as with procxy().
 */
export type ServeOptions = ServeTable &
  ({ readonly Class: WorkerClass } | { readonly load: () => Promise<WorkerClass> });

/** Serves a worker class in this process; call once at the top level of a generated child entry. */
export function serve(options: ServeOptions): void {
  const { methods, voids = [], className } = options;
  startChild(async (init) => {
    const Class = 'load' in options ? await options.load() : options.Class;
    if (typeof Class !== 'function') {
      // The worker module changed since the stub was generated, or declares the class without defining it.
      throw new ResolutionFailure(
        `The worker module does not export ${init.className} as a class (it is ${Class === null ? 'null' : typeof Class}); regenerate the procxy stubs`,
      );
    }
    const served = className ?? Class.name;
    if (init.className !== served) {
      throw new ResolutionFailure(
        `This child serves ${served || 'an anonymous class'}, but the parent asked for ${init.className}; regenerate the procxy stubs`,
      );
    }
    return { Class, methods, voids };
  });
}
