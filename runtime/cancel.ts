// Parent side of cancellation: the signals a call listens to (its AbortSignal argument and `$with`'s) and the abort.
/*
 * Either signal rejects the call in the parent at once with AbortError. When the child holds something for the call
 * (the fresh AbortSignal it passed to the method, or callbacks), the parent also sends `abort` with the reason, so
 * the method's signal fires and its callbacks are released there too. The child's answer, if it still comes, is
 * dropped: the call is no longer pending.
 */
import { types } from './builtins.js';
import { AbortError } from './errors.js';
import type { Findings } from './procxiable.js';
import type { AbortMessage } from './protocol.js';
import { encodeThrown, messageOf, thrownFindings, withoutFrames } from './thrown.js';
import { releaseMarks } from './transfer.js';
import { TransportError } from './transport.js';

/** An AbortSignal, asked without running a Proxy's traps (`instanceof` would, and a revoked one throws). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === 'object' && value !== null && !types.isProxy(value) && value instanceof AbortSignal;
}

/** The call's signals, without duplicates; empty when it has none. */
export function callSignals(
  argument: AbortSignal | undefined,
  option: AbortSignal | undefined,
): readonly AbortSignal[] {
  if (argument === undefined) return option === undefined ? [] : [option];
  return option === undefined || option === argument ? [argument] : [argument, option];
}

/** The first signal already aborted, if any: then nothing is sent. */
export function abortedSignal(signals: readonly AbortSignal[]): AbortSignal | undefined {
  return signals.find((signal) => signal.aborted);
}

/** When the call was aborted: once sent, before, or while its retry waited for a fresh worker (its first try was sent). */
export type AbortedWhen = 'sent' | 'unsent' | 'retrying';

const abortedWhen: Readonly<Record<AbortedWhen, string>> = {
  sent: '',
  unsent: ' before it was sent',
  retrying: ' while its retry waited for a fresh worker (the failed try may have run)',
};

export function abortError(method: string, pid: number, signal: AbortSignal, when: AbortedWhen): AbortError {
  return new AbortError(`Call to '${method}' was aborted${abortedWhen[when]}`, {
    method,
    pid,
    cause: signal.reason,
  });
}

/** How much of the error that kept a reason from going a stand-in quotes: the stand-in must fit any message cap. */
const quotedChars = 200;

/**
 * Tells the child that call `id` was aborted, with `reason` or, when that cannot be sent, a short AbortError saying
 * why, or at the least no reason at all. Never throws: it runs inside the caller's abort listener, beside the other
 * calls on that signal, and the child's signal must fire all the same.
 */
export function sendAbort(
  send: (message: AbortMessage, jsonSafe: boolean, findings?: Findings) => void,
  id: number,
  reason: unknown,
): void {
  let failure: unknown;
  try {
    const r = encodeThrown(reason);
    send({ t: 'abort', id, r }, false, thrownFindings(r));
    return;
  } catch (error) {
    failure = error;
  }
  // Not sent: the buffers the reason marked stay the caller's, unmarked.
  releaseMarks(reason);
  try {
    send({ t: 'abort', id, r: encodeThrown(standIn(failure)) }, false);
    return;
  } catch {
    // Not expected (the stand-in is far below the smallest maxMessageBytes), but the signal must still fire.
  }
  try {
    // No reason: the child's signal aborts with the default one, a DOMException named AbortError.
    send({ t: 'abort', id, r: { k: 'value', value: undefined } }, false);
  } catch {
    // Nothing can be written to the child: the call has rejected here, and there is no one else to tell.
  }
}

/**
 * The AbortError the child's signal gets in place of a reason that could not go: a short message and a one-line
 * stack, so that it fits any message cap (a full stack, or the whole text of the error quoted, may not).
 */
function standIn(failure: unknown): AbortError {
  // A reason is unreadable when a getter of its own throws; one that cannot be sent is too large.
  const why = failure instanceof TransportError ? 'sent' : 'read';
  const text = messageOf(failure);
  const quoted = text.length > quotedChars ? `${text.slice(0, quotedChars)}...` : text;
  return withoutFrames(new AbortError(`The call was aborted; its reason could not be ${why}: ${quoted}`));
}

/** The handlers of the calls watching each signal, behind one listener of ours per signal. */
interface Watchers {
  readonly handlers: Set<() => void>;
  readonly listener: () => void;
}

/**
 * One listener per signal whatever the number of calls watching it: a listener each would make a signal shared by
 * many calls (a request's, a shutdown's) run past Node's ten and print a leak warning.
 */
const watched = new WeakMap<AbortSignal, Watchers>();

/** Runs the handlers of an abort: each call settles whatever another's does, nothing escapes into abort(). */
function runHandlers(handlers: Iterable<() => void>): void {
  for (const h of [...handlers]) {
    try {
      h();
    } catch (error) {
      // The handlers are procxy's own and sendAbort does not throw: a bug of ours, shown, not thrown at the caller.
      process.emitWarning(`procxy: handling an abort failed: ${messageOf(error)}`);
    }
  }
}

function watch(signal: AbortSignal, handler: () => void): () => void {
  if (signal.aborted) {
    // It aborted after the caller looked (a getter of an argument, a transfer handler, aborted it while procxy read
    // them): its event is past, so the handler runs once what watches is in place, unless unwatched first.
    let live = true;
    queueMicrotask(() => {
      if (live) runHandlers([handler]);
    });
    return () => {
      live = false;
    };
  }
  let watchers = watched.get(signal);
  if (watchers === undefined) {
    const handlers = new Set<() => void>();
    const listener = () => {
      watched.delete(signal);
      runHandlers(handlers);
    };
    watchers = { handlers, listener };
    watched.set(signal, watchers);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { handlers, listener } = watchers;
  handlers.add(handler);
  return () => {
    if (!handlers.delete(handler) || handlers.size > 0) return;
    signal.removeEventListener('abort', listener);
    watched.delete(signal);
  };
}

/** Calls `onAbort` with the first signal that aborts; returns the function that stops listening. */
export function watchSignals(
  signals: readonly AbortSignal[],
  onAbort: (signal: AbortSignal) => void,
): (() => void) | undefined {
  if (signals.length === 0) return undefined;
  const unwatch = signals.map((signal) => watch(signal, () => onAbort(signal)));
  return () => {
    for (const stop of unwatch) stop();
  };
}
