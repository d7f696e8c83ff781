// Child side of callbacks and cancellation: the functions and AbortSignal a method receives, alive while its call runs.
/*
 * A call whose message names callback indices (`f`) or a signal index (`s`) gets a scope: one function per callback,
 * each sending `cb` and returning a promise of the parent's answer, and one AbortController whose signal aborts when
 * the parent sends `abort`. The scope dies when the call is answered or aborted: a callback invoked after that rejects
 * with CallbackReleasedError without sending anything, and so do its invocations the parent has not answered yet
 * (a callback that never settles in the parent would keep them for good). A failed invocation nobody awaits is
 * dropped rather than ending the worker as an unhandled rejection: a progress callback is often called without
 * `await`.
 */

import { decodeThrown, type ThrownRole } from '../error-descriptor.js';
import { CallbackReleasedError, SerializationError } from '../errors.js';
import type { SerializationMode } from '../modes.js';
import type { Findings } from '../procxiable.js';
import type { CallMessage, ChildMessage, Thrown } from '../protocol.js';
import { argsForParent, messageOf } from '../thrown.js';
import { releaseMarks } from '../transfer.js';
import { tooLargeError } from '../transport.js';

interface Scope {
  live: boolean;
  readonly controller: AbortController | undefined;
  /** Its invocations the parent has not answered yet: released with it. */
  readonly waiting: Set<number>;
}

interface Invocation {
  readonly scope: Scope;
  /** What to call it in an error: `callback args[1] of 'run'`. */
  readonly where: string;
  readonly method: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const ignore = () => {};

const abortReasonRole: ThrownRole = { text: "The caller's abort reason", path: 'reason' };

export type Send = (message: ChildMessage, jsonSafe: boolean, findings?: Findings) => void;

export class CallScopes {
  readonly #scopes = new Map<number, Scope>();
  readonly #invocations = new Map<number, Invocation>();
  readonly #send: Send;
  readonly #mode: () => SerializationMode;
  #nextInvocation = 1;

  constructor(send: Send, mode: () => SerializationMode) {
    this.#send = send;
    this.#mode = mode;
  }

  /** Scopes of running calls and invocations awaiting the parent; tests read them to prove nothing is kept. */
  get size(): { readonly scopes: number; readonly invocations: number } {
    return { scopes: this.#scopes.size, invocations: this.#invocations.size };
  }

  /** The arguments the method receives: the message's, with callbacks and the signal in their places. */
  enter(call: CallMessage, method: string): readonly unknown[] {
    if (call.f === undefined && call.s === undefined) return call.a;
    const scope: Scope = {
      live: true,
      controller: call.s !== undefined ? new AbortController() : undefined,
      waiting: new Set(),
    };
    this.#scopes.set(call.id, scope);
    const args = call.a.slice();
    for (const index of call.f ?? []) args[index] = this.#callback(call.id, index, method, scope);
    if (scope.controller !== undefined) args[call.s!] = scope.controller.signal;
    return args;
  }

  /**
   * The call was answered or aborted: its callbacks are dead, and what they still wait for fails now (an answer the
   * parent sends later is dropped; one that never comes would keep the invocation for good).
   */
  leave(id: number): void {
    const scope = this.#scopes.get(id);
    if (scope === undefined) return;
    scope.live = false;
    this.#scopes.delete(id);
    for (const n of scope.waiting) {
      const invocation = this.#invocations.get(n)!;
      this.#invocations.delete(n);
      invocation.reject(
        new CallbackReleasedError(
          `The ${invocation.where} was released before the parent answered it: a callback lives as long as its call`,
          { method: invocation.method },
        ),
      );
    }
    scope.waiting.clear();
  }

  /** The parent gave up on the call: its signal fires with the caller's reason, its callbacks die. */
  abort(id: number, reason: Thrown): void {
    const scope = this.#scopes.get(id);
    if (scope === undefined) return;
    this.leave(id);
    scope.controller?.abort(decodeThrown(reason, abortReasonRole));
  }

  /** The parent's answer to an invocation. */
  settle(n: number, ok: boolean, value: unknown): void {
    const invocation = this.#invocations.get(n);
    if (invocation === undefined) return;
    this.#invocations.delete(n);
    invocation.scope.waiting.delete(n);
    if (ok) invocation.resolve(value);
    else invocation.reject(decodeThrown(value as Thrown));
  }

  #callback(
    id: number,
    index: number,
    method: string,
    scope: Scope,
  ): (...args: unknown[]) => Promise<unknown> {
    const where = `callback args[${index}] of '${method}'`;
    return (...args: unknown[]) => {
      const result = this.#invoke(id, index, method, where, scope, args);
      result.catch(ignore);
      return result;
    };
  }

  #invoke(
    id: number,
    index: number,
    method: string,
    where: string,
    scope: Scope,
    args: unknown[],
  ): Promise<unknown> {
    if (!scope.live) {
      // Never sent: a later message holding the buffers must not move them.
      releaseMarks(args);
      return Promise.reject(
        new CallbackReleasedError(
          `The ${where} was invoked after the call settled; a callback lives as long as its call`,
          { method },
        ),
      );
    }
    let outgoing: ReturnType<typeof argsForParent>;
    try {
      outgoing = argsForParent(args, this.#mode());
    } catch (error) {
      releaseMarks(args);
      // A getter of an argument's own threw, where the check names no path.
      const failure =
        error instanceof SerializationError
          ? new SerializationError(`Cannot call the ${where}: ${error.message}`, error.path, { method })
          : new SerializationError(
              `Cannot call the ${where}: its arguments could not be read: ${messageOf(error)}`,
              'args',
              { method, cause: error },
            );
      return Promise.reject(failure);
    }
    const n = this.#nextInvocation++;
    try {
      this.#send({ t: 'cb', id, f: index, n, ...outgoing.fields }, outgoing.jsonSafe, outgoing.findings);
    } catch (error) {
      releaseMarks(args);
      // What writing the arguments did (too large, too many binary values, V8 refusing what the check let through):
      // the callback still returns a Promise, which rejects.
      return Promise.reject(
        tooLargeError(
          error,
          (bytes, limit) =>
            `The arguments of the ${where} take ${bytes} bytes, over maxMessageBytes (${limit})`,
          { method },
        ) ??
          (error instanceof SerializationError
            ? new SerializationError(`Cannot call the ${where}: ${error.message}`, error.path, { method })
            : new SerializationError(
                `Cannot call the ${where}: its arguments could not be encoded: ${messageOf(error)}`,
                'args',
                { method, cause: error },
              )),
      );
    }
    scope.waiting.add(n);
    return new Promise((resolve, reject) =>
      this.#invocations.set(n, { scope, where, method, resolve, reject }),
    );
  }
}
