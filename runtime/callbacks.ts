// Parent side of proxied callbacks: finds the function and AbortSignal arguments of a call and answers invocations.
/*
 * A top-level function argument stays in the parent, in a table that lives on the pending call: the message carries
 * null in its place and its index in `f`, so no user value can ever be mistaken for a callback. The table is dropped
 * with the pending call, so a callback lives exactly as long as its call in the parent. The last argument, when it is
 * an AbortSignal, is lifted out the same way (index in `s`); see cancel.ts.
 */
import { isAbortSignal } from './cancel.js';
import { CallbackReleasedError, SerializationError } from './errors.js';
import type { SerializationMode } from './modes.js';
import { type Findings, inspectValue, lastFindings } from './procxiable.js';
import type { CallbackMessage, ParentMessage } from './protocol.js';
import { argsFromChild, encodeThrown, messageOf, thrownFindings, withoutFrames } from './thrown.js';
import { releaseMarks } from './transfer.js';
import { tooLargeError } from './transport.js';

type Callback = (...args: unknown[]) => unknown;

/** A call's arguments as sent, plus what stayed behind. */
export interface SplitArgs {
  /** The arguments with null in place of each callback and of the signal. */
  readonly args: readonly unknown[];
  /** The callbacks by argument index; undefined when there are none. */
  readonly callbacks: ReadonlyMap<number, Callback> | undefined;
  /** The AbortSignal passed as the last argument. */
  readonly signal: AbortSignal | undefined;
}

/** Parent-side tables alive right now; read by tests to prove that nothing outlives its call. */
let liveTables = 0;

export function liveCallbackTables(): number {
  return liveTables;
}

/** Lifts callbacks and a trailing AbortSignal out of `args`; returns `args` itself when there are none. */
export function splitArgs(args: readonly unknown[]): SplitArgs {
  let callbacks: Map<number, Callback> | undefined;
  let signal: AbortSignal | undefined;
  const last = args.length - 1;
  for (let i = 0; i <= last; i++) {
    const arg = args[i];
    if (typeof arg === 'function') {
      callbacks ??= new Map();
      callbacks.set(i, arg as Callback);
    } else if (i === last && isAbortSignal(arg)) signal = arg;
  }
  if (callbacks === undefined && signal === undefined) return { args, callbacks, signal };
  const sent = args.slice();
  if (callbacks !== undefined) for (const i of callbacks.keys()) sent[i] = null;
  if (signal !== undefined) sent[last] = null;
  return { args: sent, callbacks, signal };
}

/** The fields of a call message that name the lifted arguments. */
export function placeholderFields(split: SplitArgs): { f?: number[]; s?: number } {
  return {
    ...(split.callbacks !== undefined ? { f: [...split.callbacks.keys()] } : {}),
    ...(split.signal !== undefined ? { s: split.args.length - 1 } : {}),
  };
}

/** Counts a table as live until `release` (idempotent) is called. */
export function trackTable(): () => void {
  liveTables++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    liveTables--;
  };
}

/** Whether a stub's table says that argument `index` of `method` is a callback declared to return nothing. */
export function voidCallback(
  table: Readonly<Record<string, readonly number[]>> | undefined,
  method: string,
  index: number,
): boolean {
  return table !== undefined && Object.hasOwn(table, method) && table[method]!.includes(index);
}

export type Send = (message: ParentMessage, jsonSafe: boolean, findings?: Findings) => void;

/**
 * Runs one invocation and sends its answer. `callback` is undefined when the call already settled, which the child
 * could not know when it invoked it. `nothing`: the callback is declared to return nothing (void), so what it returns
 * anyway (`(s) => seen.add(s)` gives a Set) is not sent; its Promise is still awaited, and its rejection sent.
 */
export function answerCallback(
  message: CallbackMessage,
  callback: Callback | undefined,
  method: string | undefined,
  mode: SerializationMode,
  send: Send,
  nothing = false,
): void {
  const where = `callback args[${message.f}]${method === undefined ? '' : ` of '${method}'`}`;
  const fail = (error: unknown) => {
    try {
      const e = encodeThrown(error);
      send({ t: 'cb-err', n: message.n, e }, false, thrownFindings(e));
    } catch (failure) {
      // Not sent: the buffers what was thrown marked stay this process's, unmarked.
      releaseMarks(error);
      // Too large, or unreadable (a getter of its own threw): the child's await must end all the same.
      const standIn = withoutFrames(
        tooLargeError(
          failure,
          (bytes, limit) => `The error of the ${where} takes ${bytes} bytes, over maxMessageBytes (${limit})`,
        ) ??
          // Its cause would be read as the error was: the message says what failed.
          new SerializationError(`The error of the ${where} could not be read: ${messageOf(failure)}`, where),
      );
      send({ t: 'cb-err', n: message.n, e: encodeThrown(standIn) }, false);
    }
  };
  if (callback === undefined || method === undefined) {
    return fail(
      new CallbackReleasedError(
        `The callback args[${message.f}] was invoked after its call settled in the parent; a callback lives as long as its call`,
      ),
    );
  }
  const answer = (value: unknown) => {
    if (nothing) releaseMarks(value);
    if (nothing || value === undefined) return send({ t: 'cb-ok', n: message.n }, true);
    let jsonSafe: boolean;
    let findings: Findings | undefined;
    try {
      jsonSafe = inspectValue(value, mode, 'result');
      findings = lastFindings();
    } catch (error) {
      releaseMarks(value);
      if (error instanceof SerializationError)
        return fail(new SerializationError(`The result of the ${where} ${error.message}`, error.path));
      // A getter of the result's own threw.
      return fail(
        new SerializationError(
          `The result of the ${where} could not be read: ${messageOf(error)}`,
          'result',
          {
            cause: error,
          },
        ),
      );
    }
    try {
      send({ t: 'cb-ok', n: message.n, v: value }, jsonSafe, findings);
    } catch (error) {
      releaseMarks(value);
      // What writing the result did (too large, too many binary values, V8 refusing what the check let through): the
      // child's await ends with it, and nothing escapes into this process.
      fail(
        tooLargeError(
          error,
          (bytes, limit) =>
            `The result of the ${where} takes ${bytes} bytes, over maxMessageBytes (${limit})`,
        ) ??
          (error instanceof SerializationError
            ? new SerializationError(
                `The result of the ${where} cannot be sent: ${error.message}`,
                error.path,
              )
            : new SerializationError(
                `The result of the ${where} could not be encoded: ${messageOf(error)}`,
                'result',
                {
                  cause: error,
                },
              )),
      );
    }
  };
  let result: unknown;
  try {
    result = callback(...argsFromChild(message));
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      // As `await` takes it: a `then` that throws rejects, and only its first answer counts.
      void Promise.resolve(result).then(answer, fail);
      return;
    }
  } catch (error) {
    return fail(error);
  }
  answer(result);
}
