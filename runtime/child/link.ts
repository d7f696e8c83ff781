// The child's end of the link: waits for init, builds the worker, answers calls by index, disposes, and exits.
import { EventEmitter, types } from '../builtins.js';
import { fdChannel } from '../channel.js';
import { type MessageTooLargeError, MethodNotFoundError, SerializationError } from '../errors.js';
import { handleHookIndex } from '../handles.js';
import type { SerializationMode } from '../modes.js';
import { type Findings, inspectValue, inspectValueOrDefer, lastFindings } from '../procxiable.js';
import {
  type CallMessage,
  type ChildMessage,
  type InitFailureKind,
  type InitMessage,
  type ParentMessage,
  type Thrown,
  unreachable,
} from '../protocol.js';
import { encodeThrown, messageOf, thrownFindings, withoutFrames } from '../thrown.js';
import { releaseMarks } from '../transfer.js';
import { Transport, tooLargeError } from '../transport.js';
import { CallScopes } from './callbacks.js';
import { ResolutionFailure, resolveTable, type WorkerClass } from './dispatch.js';
import { EventForwarder } from './events.js';
import { closeHandlesOf, HandleInbox, handleHook } from './handles.js';
import { parseParentMessage } from './parse.js';
import { receivedSegments } from './recycle.js';
import { watchParent } from './watchdog.js';

// The child's entries (main.ts, index.ts) import only from here, so the build can make this module, with all it
// imports, one file (see scripts/bundle-child.mjs): a child then loads a few files instead of twenty.
export { markLoaded, markServing } from '../serving.js';
export { allowList, ResolutionFailure, type WorkerClass } from './dispatch.js';
export { onHandle } from './handles.js';

/** The fds the parent opens for the link: it writes to the child's `inputFd` and reads the child's `outputFd`. */
export const inputFd = 3;
export const outputFd = 4;

export interface ResolvedWorker {
  readonly Class: WorkerClass;
  readonly methods: readonly string[];
  /** Methods declared to return nothing (void, undefined): answered without a value. Only a generated child knows. */
  readonly voids?: readonly string[];
}

export type WorkerResolver = (init: InitMessage) => Promise<ResolvedWorker>;

/** Constructor arguments a transfer handler could not rebuild on arrival; `retry` when its handler was missing. */
interface UnreadArgs {
  readonly failure: SerializationError;
  readonly retry: (() => void) | undefined;
}

/**
 * Rebuilds the constructor arguments in place, now that the worker module, which registers its transfer handlers,
 * has loaded (they come before it); throws SerializationError, which fails the start, when they still cannot be.
 */
function readArgs({ failure, retry }: UnreadArgs): void {
  let reason = failure;
  if (retry !== undefined) {
    try {
      return retry();
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      reason = error;
    }
  }
  throw new SerializationError(`The constructor arguments cannot be read: ${reason.message}`, reason.path, {
    cause: reason.cause,
  });
}

type Instance = Record<PropertyKey, unknown>;

class ChildLink {
  readonly #transport: Transport<ChildMessage, ParentMessage>;
  readonly #resolve: WorkerResolver;
  #mode: SerializationMode = 'json';
  #instance: Instance | undefined;
  #table: Function[] = [];
  #names: readonly string[] = [];
  /** By dispatch index: the method's declared result is void, so what its JavaScript returns is not sent. */
  #voids: readonly boolean[] = [];
  #state: 'waiting' | 'starting' | 'serving' | 'disposing' = 'waiting';
  readonly #scopes: CallScopes;
  /** Holds calls back until their handles arrived over IPC, in order (handles.ts). */
  readonly #inbox = new HandleInbox(
    (call) => this.#run(call),
    (id, error) => this.#fail(id, error),
    (message) => this.#send(message, true),
  );
  /** Calls whose arguments a transfer handler here could not rebuild: they fail with that when their turn comes. */
  readonly #unreadable = new Map<number, SerializationError>();
  #events: EventForwarder | undefined;

  constructor(resolve: WorkerResolver) {
    this.#resolve = resolve;
    this.#transport = new Transport(fdChannel(inputFd, outputFd), 0xffff_fffe, {
      parse: parseParentMessage,
      message: (message, failure, retry) =>
        failure === undefined ? this.#receive(message) : this.#receiveUnreadable(message, failure, retry),
      failure: (error) => this.#die(`procxy: malformed message from the parent: ${error.message}`),
      // The parent closed the link or died: nobody is left to answer to.
      close: () => process.exit(0),
      handedSegments: receivedSegments,
    });
    const rejected = watchRejections();
    process.on('uncaughtExceptionMonitor', (error, origin) => {
      const e = encodeThrown(origin === 'unhandledRejection' ? rejected(error) : error);
      this.#send({ t: 'fatal', e }, false, thrownFindings(e));
      this.#transport.flush();
    });
    process.on('exit', () => this.#transport.flush());
    this.#scopes = new CallScopes(
      (message, jsonSafe, findings) => this.#transport.send(message, jsonSafe, findings),
      () => this.#mode,
    );
    liveScopes = this.#scopes;
  }

  #receive(message: ParentMessage): void {
    switch (message.t) {
      case 'init':
        return this.#start(message, undefined);
      case 'call':
        if (this.#state !== 'serving') return this.#die(`procxy: a call before the worker was ready`);
        return this.#inbox.dispatch(message);
      case 'abort':
        this.#unreadable.delete(message.id);
        this.#inbox.abort(message.id);
        return this.#scopes.abort(message.id, message.r);
      case 'cb-ok':
        return this.#scopes.settle(message.n, true, message.v);
      case 'cb-err':
        return this.#scopes.settle(message.n, false, message.e);
      case 'sub':
        return this.#events?.subscribe(message.e);
      case 'unsub':
        return this.#events?.unsubscribe(message.e);
      case 'dispose':
        // Calls still held back for their handles were rejected by the parent: they must not run on a disposed instance.
        this.#inbox.abortAll();
        void this.#dispose();
        return;
      default:
        return unreachable(message, 'parent message');
    }
  }

  /**
   * A message holding a value no transfer handler here could rebuild: a call fails with that in its turn, a
   * callback's answer rejects in the worker; an abort aborts its call's signal with a SerializationError for reason;
   * constructor arguments are rebuilt once the worker module (which registers the handlers) has loaded.
   */
  #receiveUnreadable(
    message: ParentMessage,
    failure: SerializationError,
    retry: (() => void) | undefined,
  ): void {
    switch (message.t) {
      case 'init':
        return this.#start(message, { failure, retry });
      case 'call':
        if (this.#state !== 'serving') break;
        this.#unreadable.set(message.id, failure);
        return this.#inbox.dispatch(message);
      case 'cb-ok':
      case 'cb-err':
        return this.#scopes.settle(message.n, false, encodeThrown(failure));
      case 'abort': {
        // The call is aborted all the same, its signal with why the reason did not arrive.
        const reason = new SerializationError(
          `The reason of the abort cannot be read: ${failure.message}`,
          failure.path,
        );
        this.#unreadable.delete(message.id);
        this.#inbox.abort(message.id);
        return this.#scopes.abort(message.id, encodeThrown(reason));
      }
      default:
        break;
    }
    this.#die(`procxy: a '${message.t}' message from the parent cannot be read: ${failure.message}`);
  }

  #run(call: CallMessage): void {
    const failure = this.#unreadable.get(call.id);
    if (failure === undefined)
      return this.#call(call.id, call.m, this.#scopes.enter(call, this.#names[call.m] ?? '?'));
    this.#unreadable.delete(call.id);
    closeHandlesOf(call);
    const name = this.#names[call.m] ?? '?';
    this.#fail(
      call.id,
      new SerializationError(`The arguments of '${name}' cannot be read: ${failure.message}`, failure.path, {
        cause: failure.cause,
      }),
    );
  }

  #start(init: InitMessage, unread: UnreadArgs | undefined): void {
    if (this.#state !== 'waiting') return this.#die('procxy: a second init message');
    // Before the worker module loads: its import or constructor may already be what keeps the event loop busy.
    if (init.parent === undefined) watchParent();
    // The parent died before setpriv armed the signal: no one is left to serve.
    else if (process.ppid !== init.parent) process.exit(0);
    this.#state = 'starting';
    void this.#init(init, unread);
  }

  async #init(init: InitMessage, unread: UnreadArgs | undefined): Promise<void> {
    this.#mode = init.mode;
    this.#transport.setLimit(init.maxMessageBytes);
    // What was going on when it failed: the parent's error says whether the module, the arguments or the constructor.
    let phase: InitFailureKind = 'import';
    try {
      const { Class, methods, voids = [] } = await this.#resolve(init);
      phase = 'arguments';
      if (unread !== undefined) readArgs(unread);
      this.#table = resolveTable(Class, methods);
      this.#names = methods;
      this.#voids = methods.map((name) => voids.includes(name));
      phase = 'construct';
      this.#instance = new (Class as unknown as new (...args: readonly unknown[]) => Instance)(...init.args);
      this.#state = 'serving';
      const instance: unknown = this.#instance;
      const emitter = instance instanceof EventEmitter;
      if (emitter) {
        this.#events = new EventForwarder(instance, Class.name, this.#mode, (message, jsonSafe, findings) =>
          this.#transport.send(message, jsonSafe, findings),
        );
      }
      this.#send({ t: 'ready', methods, ...(emitter ? { emitter } : {}) }, true);
    } catch (error) {
      const e = describeThrown(error);
      this.#send(
        { t: 'init-error', kind: error instanceof ResolutionFailure ? 'resolution' : phase, e },
        false,
        thrownFindings(e),
      );
      this.#transport.flush();
      process.exit(1);
    }
  }

  #call(id: number, index: number, args: readonly unknown[]): void {
    const fn =
      index === handleHookIndex
        ? handleHook(this.#instance!)
        : Number.isSafeInteger(index)
          ? this.#table[index]
          : undefined;
    if (fn === undefined) {
      return this.#fail(
        id,
        new MethodNotFoundError(`No method at index ${String(index).slice(0, 40)} of the dispatch table`),
      );
    }
    let result: unknown;
    try {
      result = fn.apply(this.#instance, args);
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        // As `await` takes it: a `then` that throws rejects, and only its first answer counts.
        void Promise.resolve(result).then(
          (value) => this.#answer(id, index, value),
          (error: unknown) => this.#fail(id, error),
        );
        return;
      }
    } catch (error) {
      return this.#fail(id, error);
    }
    this.#answer(id, index, result);
  }

  #answer(id: number, index: number, value: unknown): void {
    this.#scopes.leave(id);
    if (this.#voids[index] === true) {
      // Typed void: the stub promises nothing, and the call did its work; a value it returned anyway stays here.
      releaseMarks(value);
      this.#send({ t: 'ok', id }, true);
      return;
    }
    if (value === undefined) {
      this.#send({ t: 'ok', id }, true);
      return;
    }
    const mode = this.#mode;
    const message: ChildMessage = { t: 'ok', id, v: value };
    try {
      const jsonSafe = inspectValueOrDefer(value, mode, 'result');
      if (jsonSafe === undefined) {
        this.#transport.sendThenCheck(
          message,
          mode === 'json',
          (encoded) => {
            inspectValue(value, mode, 'result', encoded && mode !== 'json');
            return lastFindings();
          },
          mode === 'advanced',
        );
      } else {
        this.#transport.send(message, jsonSafe, lastFindings());
      }
    } catch (error) {
      releaseMarks(value);
      const name = this.#names[index];
      if (error instanceof SerializationError) {
        return this.#fail(
          id,
          new SerializationError(`Return value of '${name}' ${error.message}`, error.path),
        );
      }
      // Not what the method threw: what writing its value did.
      const failure =
        tooLargeAnswer(error) ??
        new SerializationError(
          `Return value of '${name}' could not be encoded: ${messageOf(error)}`,
          'result',
          {
            cause: error,
          },
        );
      this.#fail(id, failure);
    }
  }

  #fail(id: number, error: unknown): void {
    this.#scopes.leave(id);
    const e = describeThrown(error);
    try {
      if (this.#send({ t: 'err', id, e }, false, thrownFindings(e))) return;
    } catch (failure) {
      // V8 refused what the check passed: the caller still hears of the call.
      this.#send({ t: 'err', id, e: encodeThrown(unsendable(failure)) }, false);
    }
    // What was thrown did not go: the buffers it marked stay the worker's, unmarked.
    releaseMarks(error);
  }

  /**
   * Sends, turning an oversized message into MessageTooLargeError for the caller to report; false when that went in
   * its place.
   */
  #send(message: ChildMessage, jsonSafe: boolean, findings?: Findings): boolean {
    try {
      this.#transport.send(message, jsonSafe, findings);
      return true;
    } catch (error) {
      const tooLarge = tooLargeAnswer(error);
      if (tooLarge !== undefined && 'id' in message) {
        this.#transport.send({ t: 'err', id: message.id, e: encodeThrown(tooLarge) }, false);
        return false;
      }
      throw error;
    }
  }

  async #dispose(): Promise<void> {
    if (this.#state === 'disposing') return;
    this.#state = 'disposing';
    const instance = this.#instance;
    try {
      const asyncDispose = instance?.[Symbol.asyncDispose];
      const dispose = instance?.[Symbol.dispose];
      if (typeof asyncDispose === 'function') await asyncDispose.call(instance);
      else if (typeof dispose === 'function') dispose.call(instance);
    } catch (error) {
      process.stderr.write(
        `procxy: the worker's dispose threw: ${(error as Error)?.stack ?? String(error)}\n`,
      );
    }
    this.#send({ t: 'disposed' }, true);
    this.#transport.flush();
    process.exit(0);
  }

  #die(reason: string): void {
    process.stderr.write(`${reason}\n`);
    process.exit(70);
  }
}

/** encodeThrown, or, when a getter of the thrown Error's own throws (its cause, its message), an error saying so. */
function describeThrown(error: unknown): Thrown {
  try {
    return encodeThrown(error);
  } catch (failure) {
    return encodeThrown(unsendable(failure));
  }
}

/** What to send in place of a thrown value that could not be described or encoded (`failure` says why). */
function unsendable(failure: unknown): SerializationError {
  return new SerializationError(
    `What was thrown could not be read or encoded: ${messageOf(failure)}`,
    'thrown',
  );
}

/** The error to answer with when an answer did not fit in maxMessageBytes. */
function tooLargeAnswer(error: unknown): MessageTooLargeError | undefined {
  const tooLarge = tooLargeError(
    error,
    (bytes, limit) => `The answer of ${bytes} bytes exceeds maxMessageBytes (${limit})`,
  );
  return tooLarge === undefined ? undefined : withoutFrames(tooLarge);
}

/** The running child's call scopes; read by tests through the built module to prove that nothing is kept. */
export let liveScopes: CallScopes | undefined;

/** Starts serving: the parent's init message says how to build the worker; `resolve` finds its class. */
export function startChild(resolve: WorkerResolver): void {
  new ChildLink(resolve);
}

/**
 * The reason of an unhandled rejection, where Node gives the monitor its own Error instead (ERR_UNHANDLED_REJECTION,
 * for a reason that is not an Error, which only its text keeps). Node announces the rejection through process.emit
 * first, listened to or not; a listener would change what Node does (nothing ends the process then), so the emit is
 * watched instead.
 */
function watchRejections(): (error: unknown) => unknown {
  let last: { readonly reason: unknown } | undefined;
  const emit = process.emit;
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (event === 'unhandledRejection') last = { reason: args[0] };
    return (emit as (...all: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
  return (error) => {
    const reason = last;
    last = undefined;
    const wrapped =
      types.isNativeError(error) && (error as { code?: unknown }).code === 'ERR_UNHANDLED_REJECTION';
    return wrapped && reason !== undefined ? reason.reason : error;
  };
}
