// The public types: what a proxy looks like for a class, and what may cross the boundary in each mode.
import type { ChildProcess } from 'node:child_process';
import type { Socket as DgramSocket } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
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
  | ArrayBufferView
  | Buffer
  | ReadonlyMap<V8Serializable, V8Serializable>
  | ReadonlySet<V8Serializable>
  | readonly V8Serializable[]
  | { readonly [key: string]: V8Serializable };

export type Procxiable<Mode extends SerializationMode = 'json'> = Mode extends 'json'
  ? JsonProcxiable
  : V8Serializable;

// biome-ignore lint/suspicious/noConfusingVoidType: a method that returns nothing returns void, and that crosses.
type Leaf = string | number | boolean | null | undefined | void;
type NeverCrosses =
  | symbol
  | Function
  | Promise<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | SharedArrayBuffer;
type V8Leaf = bigint | Date | RegExp | Error | ArrayBuffer | DataView | TypedArray | ArrayBufferView;

type All<T> = [T] extends [true] ? true : false;

/** `any` (an untyped JavaScript worker, say) is left to the run-time check. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** `object` or `{}` (or an interface without members): any object fits, functions and class instances too. */
type AnyObject<T> = [keyof T] extends [never] ? ({} extends T ? true : false) : false;

/**
 * The types a transfer handler carries, for `Procxy<T>` (the generator learns them from the config's `transferTypes`).
 * Declare them beside `registerTransferHandler`, one property per type (its name is free):
 * `declare module 'procxy' { interface TransferHandledTypes { point: Point } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, which a type alias cannot take
export interface TransferHandledTypes {}

/** Whether a transfer handler carries T (per TransferHandledTypes), which then crosses in either mode. */
type IsHandled<T> = [keyof TransferHandledTypes] extends [never]
  ? false
  : [T] extends [never]
    ? false
    : [T] extends [TransferHandledTypes[keyof TransferHandledTypes]]
      ? true
      : false;

// `Seen` holds the types on the current path: a recursive type is judged by its first visit.
type CheckJson<T, Seen = never> =
  IsAny<T> extends true
    ? true
    : IsHandled<T> extends true
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
                ? AnyObject<T> extends true
                  ? false
                  : All<
                      {
                        [K in keyof T]-?: K extends string | number
                          ? CheckJson<Exclude<T[K], undefined>, Seen | T>
                          : false;
                      }[keyof T]
                    >
                : false;

/**
 * ArrayBufferLike itself (ArrayBuffer | SharedArrayBuffer, the default of every view's buffer): it may be either, so a
 * SharedArrayBuffer value is left to the run-time check, as the generator does; SharedArrayBuffer alone never crosses.
 */
type IsArrayBufferLike<T> = [T] extends [ArrayBufferLike]
  ? [ArrayBufferLike] extends [T]
    ? true
    : false
  : false;

type CheckV8<T, Seen = never> =
  IsAny<T> extends true
    ? true
    : IsHandled<T> extends true
      ? true
      : IsArrayBufferLike<T> extends true
        ? true
        : T extends { readonly buffer: SharedArrayBuffer }
          ? false
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
                        ? AnyObject<T> extends true
                          ? false
                          : All<
                              {
                                [K in keyof T]-?: K extends string | number ? CheckV8<T[K], Seen | T> : false;
                              }[keyof T]
                            >
                        : false;

/** `true` when every value of type T crosses the boundary unchanged in `Mode`. */
export type IsProcxiable<T, Mode extends SerializationMode = 'json'> = All<
  Mode extends 'json' ? CheckJson<T> : CheckV8<T>
>;

/**
 * An argument the child sends the parent (a callback's): a value of the mode, or an Error, which travels as a thrown
 * one does in either mode (a node-style `done(err)`) and so may only add fields that V8 carries, no methods. The
 * types see an Error's shape, not its class: an object of that shape passes here and is refused at run time.
 */
type ChildArgProcxiable<T, Mode extends SerializationMode> =
  IsAny<T> extends true
    ? true
    : T extends Error
      ? [Exclude<keyof T, keyof Error>] extends [never]
        ? true
        : IsProcxiable<Omit<T, keyof Error>, 'advanced'>
      : IsProcxiable<T, Mode>;

/** The parameters of a callback: plain values only (a callback's own functions or signals do not cross). */
type PlainArgsProcxiable<A extends readonly unknown[], Mode extends SerializationMode> = All<
  { [I in keyof A]-?: ChildArgProcxiable<Exclude<A[I], undefined>, Mode> }[number]
>;

/**
 * A callback's declared result as the child sees it, a Promise of the parent's answer: it must hold a Promise or be
 * nothing the worker uses (void, undefined), as the generator's PRX1027 says; any and unknown say nothing.
 */
type ResultAwaitable<R> =
  IsAny<R> extends true
    ? true
    : unknown extends R
      ? true
      : // biome-ignore lint/suspicious/noConfusingVoidType: a callback declared to return void, which its users write
        [R] extends [void]
        ? true
        : [Extract<R, PromiseLike<unknown>>] extends [never]
          ? false
          : true;

/**
 * A function argument becomes a proxied callback when its parameters and awaited result cross the boundary, and its
 * result is typed as the Promise the child gets.
 */
type CallbackProcxiable<F, Mode extends SerializationMode> = F extends (...args: infer P) => infer R
  ? All<PlainArgsProcxiable<P, Mode> | IsProcxiable<Awaited<R>, Mode> | ResultAwaitable<R>>
  : false;

/** The index (as the key of a tuple) of the last declared parameter. */
type LastIndex<A extends readonly unknown[]> =
  Required<A> extends readonly [...infer Head, unknown] ? `${Head['length']}` : never;

type ParamProcxiable<T, Mode extends SerializationMode, Last extends boolean> =
  IsAny<T> extends true
    ? true
    : [T] extends [(...args: never[]) => unknown]
      ? CallbackProcxiable<T, Mode>
      : [Last, T] extends [true, AbortSignal]
        ? true
        : IsProcxiable<Exclude<T, PassableHandle>, Mode>;

type ArgsProcxiable<A extends readonly unknown[], Mode extends SerializationMode> = All<
  {
    [I in keyof A]-?: ParamProcxiable<Exclude<A[I], undefined>, Mode, I extends LastIndex<A> ? true : false>;
  }[number]
>;

/** What a top-level parameter may be besides values: a live OS handle, sent with `supportHandles: true`. */
export type PassableHandle = Socket | Server | DgramSocket;

/** The members every proxy has besides the worker's methods; all `$`-prefixed or symbols, so they never collide. */
export interface ProxyControls<Self> {
  /** Disposes the instance in the child, then ends it (SIGTERM, then SIGKILL); pending calls reject at once. */
  $terminate(): Promise<void>;
  /** The same worker, with these options for each call. */
  $with(options: CallOptions): Self;
  readonly $process: ChildProcess;
  readonly $pid: number;
  /**
   * Hands an OS handle to the worker outside any method call (needs `supportHandles: true`); resolves once the
   * instance's `[onHandle]` hook (`import { onHandle } from 'procxy/child'`) returned in the child.
   */
  $sendHandle(handle: PassableHandle): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

type ProxiedMethod<F, Mode extends SerializationMode> = F extends (...args: infer A) => infer R
  ? [ArgsProcxiable<A, Mode>, IsProcxiable<Awaited<R>, Mode>] extends [true, true]
    ? (...args: A) => Promise<Awaited<R>>
    : never
  : never;

/** Node's "no event map declared" marker, and the default of `Procxy`'s `Events`: any string, any arguments. */
type DefaultEventMap = [never];

/**
 * The event names an EventEmitter class declares (string when it declares none); never for other classes. Node's
 * typings only expose the names of an `EventEmitter<Events>` map to inference, not the listener arguments: those come
 * from `Procxy`'s `Events` parameter, which generated stubs fill in.
 */
type EventNamesOf<T> = T extends { eventNames(): (infer K)[]; emit(...args: never[]): boolean }
  ? string extends K
    ? string
    : K & string
  : never;

/** Event names as the proxy takes them: strings, a numeric key of a map as its text (`emit(1)` is heard as '1'). */
type NameText<K> = (K & string) | `${K & number}`;

type IsEmitter<T> = [EventNamesOf<T>] extends [never] ? false : true;

/** Checked bivariantly, so that `(n: number) => void` is accepted for an event whose arguments are not declared. */
type LooseListener = { listener(...args: unknown[]): void }['listener'];

type EventName<Names extends string, M> = [M] extends [DefaultEventMap] ? Names : NameText<keyof M>;

/** The arguments map M declares for the event named K, a numeric key's by its text too. */
type EventArgs<M, K> = K extends keyof M
  ? M[K]
  : K extends `${infer N extends number}`
    ? N extends keyof M
      ? M[N]
      : never
    : never;

type EventListener<M, K> = [M] extends [DefaultEventMap]
  ? LooseListener
  : EventArgs<M, K> extends infer A extends readonly unknown[]
    ? (...args: A) => void
    : never;

/**
 * What the proxy of an EventEmitter worker adds: listeners in the parent for the child's events, not `$`-prefixed
 * because they mirror EventEmitter's own. With an event map `M`, names and listener arguments are exact.
 */
export interface ProxyEvents<Self, Names extends string = string, M = DefaultEventMap> {
  on<K extends EventName<Names, M>>(event: K, listener: EventListener<M, K>): Self;
  once<K extends EventName<Names, M>>(event: K, listener: EventListener<M, K>): Self;
  off<K extends EventName<Names, M>>(event: K, listener: EventListener<M, K>): Self;
  removeListener<K extends EventName<Names, M>>(event: K, listener: EventListener<M, K>): Self;
  /** The listeners of `event`, or, given `listener`, how many times it is among them. */
  listenerCount<K extends EventName<Names, M>>(event: K, listener?: EventListener<M, K>): number;
}

/**
 * Names the child never serves (runtime/method-names.ts): Object.prototype's, `then` (a proxy with it would be a
 * thenable, so `await procxy(...)` would not compile) and `toJSON`.
 */
type ReservedName =
  | keyof Object
  | '__proto__'
  | '__defineGetter__'
  | '__defineSetter__'
  | '__lookupGetter__'
  | '__lookupSetter__'
  | 'then'
  | 'toJSON';

/** The members of `Base` when T is one. */
type KeysIf<T, Base> = T extends Base ? keyof Base : never;

/**
 * The methods of the built-ins a worker class may extend, which the child does not serve (it stops at a built-in
 * prototype, as the generator leaves out what lib files and @types/node declare). Types are structural: a class is
 * taken for one when it has all of the built-in's members, `[Symbol.toStringTag]` included, which a class that only
 * implements ReadonlyMap has not. A type cannot tell the worker's override of one from the built-in's: the generated
 * stub, which can, has it.
 */
type BuiltinKey<T> =
  | (IsEmitter<T> extends true ? keyof EventEmitter : never)
  | KeysIf<T, Map<unknown, unknown>>
  | KeysIf<T, Set<unknown>>
  | KeysIf<T, WeakMap<WeakKey, unknown>>
  | KeysIf<T, WeakSet<WeakKey>>
  | KeysIf<T, unknown[]>
  | KeysIf<T, Date>
  | KeysIf<T, RegExp>
  | KeysIf<T, Readable>
  | KeysIf<T, Writable>;

type MethodKey<T, K extends keyof T> = K extends `_${string}` | `$${string}` | ReservedName | BuiltinKey<T>
  ? never
  : K extends string
    ? NonNullable<T[K]> extends (...args: never[]) => unknown
      ? K
      : never
    : never;

/**
 * The proxy of an instance of T: each public method returns a promise of its awaited result. A method whose
 * parameters or result cannot cross the boundary in `Mode` has type `never`, so calling it does not compile.
 * Function parameters are proxied callbacks and a last `AbortSignal` parameter cancels the call. For an EventEmitter
 * class, `Events` (the map its `EventEmitter<Events>` base takes) makes the listener types exact.
 */
export type Procxy<T, Mode extends SerializationMode = 'json', Events = DefaultEventMap> = {
  // An optional method (`onStop?() {}`) stays optional: T[K] holds undefined, its method does not.
  readonly [K in keyof T as MethodKey<T, K>]: ProxiedMethod<NonNullable<T[K]>, Mode>;
} & ProxyControls<Procxy<T, Mode, Events>> &
  (IsEmitter<T> extends true ? ProxyEvents<Procxy<T, Mode, Events>, EventNamesOf<T>, Events> : unknown);

/**
 * The arguments of any of a class's last four constructor signatures (ConstructorParameters has the last one only),
 * as a generated stub takes those of each.
 */
export type ConstructorArgs<C> = C extends {
  new (...args: infer A1): unknown;
  new (...args: infer A2): unknown;
  new (...args: infer A3): unknown;
  new (...args: infer A4): unknown;
}
  ? A1 | A2 | A3 | A4
  : C extends abstract new (
        ...args: infer A
      ) => unknown
    ? A
    : never;
