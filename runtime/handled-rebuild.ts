// Rebuilds the handled values of a received V8 message: a primitive result, or one left for later, by a stand-in.
/*
 * V8 reads a handled value's place in a message through the host-object hook, which must give an object. A
 * deserialize that gives a primitive (a handler that unwraps a value, null included), and a value whose handler this
 * process has not registered yet (the constructor arguments, read before the worker module registers it), are
 * given a stand-in there: an empty object swapped for what it stands for once the message is read. The swap walks
 * what V8 made (objects, arrays, Maps and Sets, each once), only when some stand-in was made.
 */
import { namedKeys, someElement } from './array-keys.js';
import { types } from './builtins.js';
import {
  errorPayloadName,
  rebuildErrorPayload,
  type ThrownBudget,
  valuesBudget,
} from './error-descriptor.js';
import { SerializationError } from './errors.js';
import { transferHandlerNamed, unhandle } from './transfer-handlers.js';
import { entryStepText, propertyStep } from './value-path.js';

/** A handled value whose rebuilding waits, and the stand-in V8 placed where it goes. */
interface Waiting {
  readonly name: string;
  readonly payload: unknown;
  readonly standIn: object;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

export class HandledRebuild {
  /** What each stand-in stands for, once known. */
  readonly #standsFor = new Map<object, unknown>();
  /** Objects the swap has been through, and objects that handlers made (which hold no stand-in): not walked. */
  readonly #done = new Set<object>();
  #errors: ThrownBudget | undefined;
  /** From the first value that could not be rebuilt on: they wait, in order, as each may hold those before it. */
  #waiting: Waiting[] | undefined;
  /** Why the first of them could not be rebuilt; whether a later try may do better (its handler was missing). */
  #failure: { readonly error: SerializationError; readonly later: boolean } | undefined;

  get failure(): SerializationError | undefined {
    return this.#failure?.error;
  }

  /** The object to place for handled value `name`, rebuilt from `payload` (read from the message in order). */
  take(name: string, payload: unknown): object {
    if (this.#waiting !== undefined) return this.#wait(name, payload);
    try {
      return this.#placed(this.#rebuild(name, payload));
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      this.#failure = { error, later: name !== errorPayloadName && !transferHandlerNamed(name) };
      this.#waiting = [];
      return this.#wait(name, payload);
    }
  }

  /** `value` (a message, read after the handled values) with each stand-in swapped for what it stands for. */
  finish(value: unknown): unknown {
    return this.#swap(value);
  }

  /**
   * Whether the values left waiting can be rebuilt later: their handler was not registered when they came. The
   * value must then be given to retry() once it may be.
   */
  get retriable(): boolean {
    return this.#failure?.later === true;
  }

  /** Rebuilds the values left waiting, then swaps them into `value`; throws SerializationError if one still fails. */
  retry(value: unknown): unknown {
    for (const { name, payload, standIn } of this.#waiting ?? []) {
      const rebuilt = this.#rebuild(name, payload);
      if (isObject(rebuilt)) this.#done.add(rebuilt);
      this.#standsFor.set(standIn, rebuilt);
    }
    this.#waiting = undefined;
    this.#failure = undefined;
    return this.#swap(value);
  }

  /**
   * The steps from `root` (the message) to where the value that could not be rebuilt goes (`.a`, `[0]`, `.p`), or
   * undefined when it is not there but inside another value's payload. Only on failure: it walks what V8 made.
   */
  failedAt(root: unknown): string[] | undefined {
    const target = this.#waiting?.[0]?.standIn;
    if (target === undefined) return undefined;
    const seen = new Set<object>();
    const steps: string[] = [];
    const find = (item: unknown): boolean => {
      if (item === target) return true;
      if (!isObject(item) || seen.has(item)) return false;
      seen.add(item);
      const through = (step: string, next: unknown) => {
        steps.push(step);
        if (find(next)) return true;
        steps.pop();
        return false;
      };
      if (Array.isArray(item)) {
        const record = item as unknown as Record<string, unknown>;
        return (
          someElement(item as unknown[], (element, i) => through(`[${i}]`, element)) ||
          (namedKeys(item) ?? []).some((key) => through(propertyStep(key), record[key]))
        );
      }
      if (types.isMap(item)) {
        let i = 0;
        for (const [k, v] of item as Map<unknown, unknown>) {
          if (through(entryStepText('key', i), k) || through(entryStepText('value', i), v)) return true;
          i++;
        }
        return false;
      }
      if (types.isSet(item)) {
        let i = 0;
        for (const element of item as Set<unknown>)
          if (through(entryStepText('item', i++), element)) return true;
        return false;
      }
      if (Object.getPrototypeOf(item) !== Object.prototype) return false;
      const record = item as Record<string, unknown>;
      return Object.keys(record).some((key) => through(propertyStep(key), record[key]));
    };
    return find(root) ? steps : undefined;
  }

  #wait(name: string, payload: unknown): object {
    const standIn = Object.create(null) as object;
    this.#waiting!.push({ name, payload, standIn });
    return standIn;
  }

  #rebuild(name: string, payload: unknown): unknown {
    // Those before it were rebuilt: their stand-ins in its payload are swapped before its handler sees it.
    const ready = this.#swap(payload);
    if (name !== errorPayloadName) return unhandle(name, ready);
    this.#errors ??= valuesBudget();
    return rebuildErrorPayload(ready, this.#errors);
  }

  #placed(rebuilt: unknown): object {
    if (isObject(rebuilt)) {
      this.#done.add(rebuilt);
      return rebuilt;
    }
    const standIn = Object.create(null) as object;
    this.#standsFor.set(standIn, rebuilt);
    return standIn;
  }

  /**
   * Swaps stand-ins in `root`, in place: a Map key or a Set item by rebuilding the Map or Set in its order. What was
   * walked is not walked again, as everything in it was read whole and stood only for values rebuilt before.
   */
  #swap(root: unknown): unknown {
    const standsFor = this.#standsFor;
    if (standsFor.size === 0 || !isObject(root)) return root;
    if (standsFor.has(root)) return standsFor.get(root);
    const done = this.#done;
    const stack: object[] = [root];
    const put = (item: unknown): unknown => {
      if (!isObject(item)) return item;
      if (standsFor.has(item)) return standsFor.get(item);
      if (!done.has(item)) stack.push(item);
      return item;
    };
    while (stack.length > 0) {
      const object = stack.pop()!;
      if (done.has(object)) continue;
      done.add(object);
      if (Array.isArray(object)) {
        const array = object as unknown[];
        someElement(array, (item, i) => {
          const swapped = put(item);
          if (swapped !== item) array[i] = swapped;
          return false;
        });
        const record = object as unknown as Record<string, unknown>;
        for (const key of namedKeys(array) ?? []) record[key] = put(record[key]);
      } else if (types.isMap(object)) {
        const map = object as Map<unknown, unknown>;
        const entries = [...map].map(([k, v]) => [put(k), put(v)] as const);
        map.clear();
        for (const [k, v] of entries) map.set(k, v);
      } else if (types.isSet(object)) {
        const set = object as Set<unknown>;
        const items = [...set].map(put);
        set.clear();
        for (const item of items) set.add(item);
      } else if (Object.getPrototypeOf(object) === Object.prototype) {
        // V8 makes plain objects of data properties only: no getter runs here.
        const record = object as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          const item = record[key];
          const swapped = put(item);
          if (swapped !== item) record[key] = swapped;
        }
      }
    }
    return root;
  }
}
