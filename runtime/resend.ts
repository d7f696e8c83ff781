// What a retry sends again: the arguments as the first send encoded them, not the caller's objects, changed since.
/*
 * A caller may change its argument objects as soon as a call returns (a buffer not marked for transfer included),
 * and a buffer marked with transfer() is detached by the send: a retry that read them again would run the method on
 * other values than the failed call's. So a call (or constructor) that may be retried is encoded once more before it
 * is sent, as the transport would encode it but with every binary value copied, and a retry decodes that, as the
 * child would. Callbacks and a trailing AbortSignal are not values: they stay as they are.
 */
import { splitArgs } from './callbacks.js';
import type { SerializationMode } from './modes.js';
import { inspectArgs, lastFindings } from './procxiable.js';
import { decodeV8, encodeV8 } from './v8-codec.js';

/** Gives, at each call, a fresh copy of `args` as sent now; throws as the send would when they cannot cross. */
export function keepArgs(args: readonly unknown[], mode: SerializationMode): () => unknown[] {
  const split = splitArgs(args);
  const rebuild = encoded(split.args, inspectArgs(split.args, mode));
  const { callbacks, signal } = split;
  if (callbacks === undefined && signal === undefined) return rebuild;
  return () => {
    const copy = rebuild();
    for (const [index, callback] of callbacks ?? []) copy[index] = callback;
    if (signal !== undefined) copy[copy.length - 1] = signal;
    return copy;
  };
}

/** JSON when it reproduces the values, as the transport chooses; the findings are those of their inspection. */
function encoded(values: readonly unknown[], jsonSafe: boolean): () => unknown[] {
  const text = jsonSafe ? jsonText(values) : undefined;
  if (text !== undefined) return () => JSON.parse(text) as unknown[];
  const { body, chunks } = encodeV8(values, lastFindings(), () => {}, true);
  // Decoded values are views of the memory decoded: each copy gets memory of its own.
  return () =>
    decodeV8(
      Buffer.from(body),
      chunks.map((chunk) => Buffer.from(new Uint8Array(chunk).buffer)),
    ) as unknown[];
}

/** As the transport's: undefined when the text would be longer than a string can be (V8 then writes it). */
function jsonText(values: readonly unknown[]): string | undefined {
  try {
    return JSON.stringify(values);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}
