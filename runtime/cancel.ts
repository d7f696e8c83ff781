// Parent side of cancellation: the signals a call listens to (its AbortSignal argument and `$with`'s) and the abort.
/*
 * Either signal rejects the call in the parent at once with AbortError. When the child holds something for the call
 * (the fresh AbortSignal it passed to the method, or callbacks), the parent also sends `abort` with the reason, so
 * the method's signal fires and its callbacks are released there too. The child's answer, if it still comes, is
 * dropped: the call is no longer pending.
 */
import { AbortError } from './errors.js';
import type { AbortMessage } from './protocol.js';
import { encodeThrown } from './thrown.js';
import { TransportError } from './transport.js';

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

export function abortError(method: string, pid: number, signal: AbortSignal, sent: boolean): AbortError {
  return new AbortError(`Call to '${method}' was aborted${sent ? '' : ' before it was sent'}`, {
    method,
    pid,
    cause: signal.reason,
  });
}

/** Tells the child that call `id` was aborted, with `reason` or, when that cannot be sent, a reason saying so. */
export function sendAbort(
  send: (message: AbortMessage, jsonSafe: boolean) => void,
  id: number,
  reason: unknown,
): void {
  try {
    send({ t: 'abort', id, r: encodeThrown(reason) }, false);
  } catch (error) {
    // Thrown inside the caller's abort listener otherwise; the child's signal must fire all the same.
    if (!(error instanceof TransportError)) throw error;
    const standIn = new AbortError(`The call was aborted; its reason could not be sent: ${error.message}`);
    send({ t: 'abort', id, r: encodeThrown(standIn) }, false);
  }
}

/** Calls `onAbort` with the first signal that aborts; returns the function that stops listening. */
export function watchSignals(
  signals: readonly AbortSignal[],
  onAbort: (signal: AbortSignal) => void,
): (() => void) | undefined {
  if (signals.length === 0) return undefined;
  const listeners = signals.map((signal) => {
    const listener = () => onAbort(signal);
    signal.addEventListener('abort', listener, { once: true });
    return listener;
  });
  return () => {
    for (let i = 0; i < signals.length; i++) signals[i]!.removeEventListener('abort', listeners[i]!);
  };
}
