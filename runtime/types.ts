// The public types: what a proxy looks like for a class, and what may cross the boundary in each mode.
import type { ChildProcess } from 'node:child_process';
import type { SerializationMode } from './modes.js';
import type { CallOptions } from './options.js';

type JsonPrimitive = string | number | boolean | null;

/** A value JSON carries unchanged. */
export type JsonProcxiable =
  | JsonPrimitive
  | readonly JsonProcxiable[]
  | { readonly [key: string]: JsonProcxiable | undefined };

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A value V8's structured clone (serialization: 'advanced') carries unchanged. */
export type V8Serializable =
  | JsonPrimitive
  | undefined
  | bigint
  | Date
  | RegExp
  | Error
  | ArrayBuffer
  | DataView
  | TypedArray
  | Buffer
  | ReadonlyMap<V8Serializable, V8Serializable>
  | ReadonlySet<V8Serializable>
  | readonly V8Serializable[]
  | { readonly [key: string]: V8Serializable };

export type Procxiable<Mode extends SerializationMode = 'json'> = Mode extends 'json'
  ? JsonProcxiable
  : V8Serializable;

type Leaf = string | number | boolean | null | undefined | void;
type NeverCrosses =
  | symbol
  | Function
  | Promise<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | SharedArrayBuffer;
type V8Leaf = bigint | Date | RegExp | Error | ArrayBuffer | DataView | TypedArray;

type All<T> = [T] extends [true] ? true : false;

/** `any` (an untyped JavaScript worker, say) is left to the run-time check. */
type IsAny<T> = 0 extends 1 & T ? true : false;

// `Seen` holds the types on the current path: a recursive type is judged by its first visit.
type CheckJson<T, Seen = never> =
  IsAny<T> extends true
    ? true
    : [T] extends [Seen]
      ? true
      : T extends Leaf
        ? true
        : T extends NeverCrosses | V8Leaf | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown>
          ? false
          : T extends readonly (infer E)[]
            ? IsAny<E> extends true
              ? true
              : undefined extends E
                ? false
                : CheckJson<E, Seen | T>
            : T extends object
              ? All<
                  {
                    [K in keyof T]-?: K extends string
                      ? CheckJson<Exclude<T[K], undefined>, Seen | T>
                      : false;
                  }[keyof T]
                >
              : false;

type CheckV8<T, Seen = never> =
  IsAny<T> extends true
    ? true
    : [T] extends [Seen]
      ? true
      : T extends Leaf | V8Leaf
        ? true
        : T extends NeverCrosses
          ? false
          : T extends ReadonlyMap<infer K, infer V>
            ? All<CheckV8<K, Seen | T> | CheckV8<V, Seen | T>>
            : T extends ReadonlySet<infer E>
              ? CheckV8<E, Seen | T>
              : T extends readonly (infer E)[]
                ? CheckV8<E, Seen | T>
                : T extends object
                  ? All<{ [K in keyof T]-?: K extends string ? CheckV8<T[K], Seen | T> : false }[keyof T]>
                  : false;

/** `true` when every value of type T crosses the boundary unchanged in `Mode`. */
export type IsProcxiable<T, Mode extends SerializationMode = 'json'> = All<
  Mode extends 'json' ? CheckJson<T> : CheckV8<T>
>;

type ArgsProcxiable<A extends readonly unknown[], Mode extends SerializationMode> = All<
  { [I in keyof A]-?: IsProcxiable<Exclude<A[I], undefined>, Mode> }[number]
>;

/** The members every proxy has besides the worker's methods; all `$`-prefixed or symbols, so they never collide. */
export interface ProxyControls<Self> {
  /** Disposes the instance in the child, then ends it (SIGTERM, then SIGKILL); pending calls reject at once. */
  $terminate(): Promise<void>;
  /** The same worker, with these options for each call. */
  $with(options: CallOptions): Self;
  readonly $process: ChildProcess;
  readonly $pid: number;
  [Symbol.asyncDispose](): Promise<void>;
}

type ProxiedMethod<F, Mode extends SerializationMode> = F extends (...args: infer A) => infer R
  ? [ArgsProcxiable<A, Mode>, IsProcxiable<Awaited<R>, Mode>] extends [true, true]
    ? (...args: A) => Promise<Awaited<R>>
    : never
  : never;

type MethodKey<T, K extends keyof T> = K extends `_${string}` | `$${string}` | 'constructor'
  ? never
  : K extends string
    ? T[K] extends (...args: never[]) => unknown
      ? K
      : never
    : never;

/**
 * The proxy of an instance of T: each public method returns a promise of its awaited result. A method whose
 * parameters or result cannot cross the boundary in `Mode` has type `never`, so calling it does not compile.
 */
export type Procxy<T, Mode extends SerializationMode = 'json'> = {
  readonly [K in keyof T as MethodKey<T, K>]: ProxiedMethod<T[K], Mode>;
} & ProxyControls<Procxy<T, Mode>>;
