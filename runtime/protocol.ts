// The wire protocol between a parent and its worker: every message either side can send, as one discriminated union.
/*
 * A worker link carries frames (see frame.ts) in both directions; each frame holds one message below. The parent
 * opens with `init` (how to build the worker and in which serialization mode); the child answers `ready` with its
 * dispatch table (the names of the callable methods, in index order) or `init-error`. From then on the parent sends
 * `call`s that name a method by its index in that table, and the child answers each with exactly one `ok` or `err`
 * carrying the same id, in any order (an aborted call too: the parent drops that answer, and ends a child that
 * answers twice). `dispose` asks the child to run the instance's dispose and exit; it answers `disposed`.
 * `fatal` is the child's last word before an uncaught exception ends it. Thrown values travel as `Thrown` so that an
 * Error keeps its class, stack, cause chain and custom fields whatever the serialization mode.
 * While a call runs, the child may invoke its callbacks (`cb`, answered by `cb-ok`/`cb-err`) and the parent may
 * `abort` it; `sub`/`unsub` turn the forwarding of an EventEmitter worker's events (`ev`) on and off.
 */

import type { SerializationMode } from './modes.js';

/** How the child finds the worker class: by module URL and export name (no-build), or built into the entry. */
export interface InitMessage {
  readonly t: 'init';
  readonly mode: SerializationMode;
  readonly className: string;
  /** `file:` URL of the module exporting the class; absent when the child entry imports it itself. */
  readonly module?: string;
  readonly args: readonly unknown[];
  /** The cap on any frame, in both directions. */
  readonly maxMessageBytes: number;
  /**
   * The parent's pid, when the kernel ends the child at the parent's death (spawn.ts); absent, the child watches
   * for it itself.
   */
  readonly parent?: number;
}

export interface CallMessage {
  readonly t: 'call';
  readonly id: number;
  /** Index into the dispatch table announced by `ready`; `-1` runs the `[onHandle]` hook (`$sendHandle`, handles.ts). */
  readonly m: number;
  readonly a: readonly unknown[];
  /** Indices of the arguments that are callbacks (ascending); `a` holds null there. See callbacks.ts. */
  readonly f?: readonly number[];
  /** Index of the argument that is the call's AbortSignal (the last one); `a` holds null there. See cancel.ts. */
  readonly s?: number;
  /** Indices of the arguments that are OS handles, sent over Node's IPC channel; `a` holds null there. See handles.ts. */
  readonly h?: readonly number[];
}

/** The caller gave up on call `id` (its signal aborted): abort the child's signal with `r`, release its callbacks. */
export interface AbortMessage {
  readonly t: 'abort';
  readonly id: number;
  readonly r: Thrown;
}

/** The parent's answer to callback invocation `n`. */
export interface CallbackOkMessage {
  readonly t: 'cb-ok';
  readonly n: number;
  readonly v?: unknown;
}

export interface CallbackErrMessage {
  readonly t: 'cb-err';
  readonly n: number;
  readonly e: Thrown;
}

/** Start (`sub`) or stop (`unsub`) forwarding the worker's event `e`. */
export interface SubscriptionMessage {
  readonly t: 'sub' | 'unsub';
  readonly e: string;
}

/**
 * The events EventEmitter emits of its own listeners, with a listener function among their arguments: the proxy's
 * are emitted by the parent of its own listeners, and these are never subscribed or forwarded.
 */
export const listenerEvents: ReadonlySet<string> = new Set(['newListener', 'removeListener']);

export interface DisposeMessage {
  readonly t: 'dispose';
}

export type ParentMessage =
  | InitMessage
  | CallMessage
  | AbortMessage
  | CallbackOkMessage
  | CallbackErrMessage
  | SubscriptionMessage
  | DisposeMessage;

export interface ReadyMessage {
  readonly t: 'ready';
  readonly methods: readonly string[];
  /** The instance is an EventEmitter: the proxy serves on/once/off and subscribes with `sub`. */
  readonly emitter?: boolean;
}

/** The child invokes callback `f` (an argument index) of call `id`; `n` names this invocation in the answer. */
export interface CallbackMessage {
  readonly t: 'cb';
  readonly id: number;
  readonly f: number;
  readonly n: number;
  readonly a: readonly unknown[];
  /** Indices of the arguments that are Errors, which `a` holds as `Thrown` (see thrown.ts: argsForParent). */
  readonly x?: readonly number[];
}

/** The worker emitted event `e` with arguments `a`, and the parent subscribed to it. */
export interface EventMessage {
  readonly t: 'ev';
  readonly e: string;
  readonly a: readonly unknown[];
  /** As in CallbackMessage: the arguments that are Errors, held as `Thrown`. */
  readonly x?: readonly number[];
}

export type InitFailureKind = 'resolution' | 'import' | 'arguments' | 'construct';

export interface InitErrorMessage {
  readonly t: 'init-error';
  /**
   * `resolution`: the module or class could not be found (or is not what a generated table expects); what threw
   * otherwise: `import` the worker module, `arguments` reading the constructor's arguments, `construct` the constructor.
   */
  readonly kind: InitFailureKind;
  readonly e: Thrown;
}

export interface OkMessage {
  readonly t: 'ok';
  readonly id: number;
  readonly v?: unknown;
}

export interface ErrMessage {
  readonly t: 'err';
  readonly id: number;
  readonly e: Thrown;
}

export interface FatalMessage {
  readonly t: 'fatal';
  readonly e: Thrown;
}

export interface DisposedMessage {
  readonly t: 'disposed';
}

/**
 * The child's Node took in a message of the IPC channel that carried a handle (and acknowledged it there): the parent,
 * which never reads that channel, learns it here and lets Node send the next handle.
 */
export interface HandleTakenMessage {
  readonly t: 'handle-taken';
}

/** The worker closed its end of the IPC channel (`process.disconnect()`): no handle reaches it any more. */
export interface IpcClosedMessage {
  readonly t: 'ipc-closed';
}

export type ChildMessage =
  | ReadyMessage
  | InitErrorMessage
  | OkMessage
  | ErrMessage
  | CallbackMessage
  | EventMessage
  | FatalMessage
  | DisposedMessage
  | HandleTakenMessage
  | IpcClosedMessage;

/**
 * How deep Errors nest in a Thrown (through causes, aggregated errors and fields), and about how many Thrown one
 * description holds. The sender describes what lies past them as text (a few notes may pass the count); the
 * receiver refuses a Thrown nested deeper, or of more than twice the count, which a hostile child would send to
 * overflow the rebuild's stack or, with V8's back-references, to make a small frame describe millions of errors.
 * Errors inside values travel as payloads of one level each (the Errors they hold are payloads of their own):
 * `inValues` bounds the Thrown of all of a message's payloads, on both sides.
 */
export const thrownLimits = { depth: 32, count: 10_000, inValues: 100_000 } as const;

/**
 * The arguments one callback invocation (`cb`) or event (`ev`) carries at most. The receiver spreads them into a
 * call: a hostile child's array of a huge length (a sparse one is a few bytes) would take the parent's memory, and
 * many thousands overflow the stack (each takes 8 bytes of its 1 MiB, where the listener is called from deep).
 */
export const maxArguments = 16_384;

/** A thrown value: an Error described field by field, or any other value as it is. */
export type Thrown =
  | { readonly k: 'error'; readonly error: ErrorDescriptor }
  | { readonly k: 'value'; readonly value?: unknown }
  | { readonly k: 'opaque'; readonly text: string };

export interface ErrorDescriptor {
  /** The nearest built-in (or procxy) error class in the prototype chain, e.g. `TypeError`. */
  readonly base: string;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: Thrown;
  /** AggregateError's `errors`. */
  readonly errors?: readonly Thrown[];
  /** Every other own property: key, value, enumerable. */
  readonly props: readonly (readonly [string, Thrown, boolean])[];
}

export function unreachable(value: never, what: string): never {
  throw new TypeError(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
