// Checks that a decoded value from a child is a well-formed child message; anything else is a protocol violation.
import type { ChildMessage, Thrown } from './protocol.js';
import { TransportError } from './transport.js';

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isThrown(value: unknown): value is Thrown {
  const t = value as { k?: unknown; error?: unknown; text?: unknown } | null;
  if (typeof t !== 'object' || t === null) return false;
  if (t.k === 'value') return true;
  if (t.k === 'opaque') return typeof t.text === 'string';
  if (t.k !== 'error' || typeof t.error !== 'object' || t.error === null) return false;
  const e = t.error as Record<string, unknown>;
  return (
    typeof e.base === 'string' &&
    typeof e.name === 'string' &&
    typeof e.message === 'string' &&
    (e.stack === undefined || typeof e.stack === 'string') &&
    (e.cause === undefined || isThrown(e.cause)) &&
    (e.errors === undefined || (Array.isArray(e.errors) && e.errors.every(isThrown))) &&
    Array.isArray(e.props) &&
    e.props.every(
      (p: unknown) =>
        Array.isArray(p) &&
        p.length === 3 &&
        typeof p[0] === 'string' &&
        isThrown(p[1]) &&
        typeof p[2] === 'boolean',
    )
  );
}

/** No `x`, or ascending indices of arguments in `args` that each hold a Thrown. */
function areErrorArgs(x: unknown, args: readonly unknown[]): boolean {
  if (x === undefined) return true;
  if (!Array.isArray(x) || x.length === 0) return false;
  let previous = -1;
  for (const index of x as unknown[]) {
    if (!isIndex(index) || index <= previous || index >= args.length || !isThrown(args[index])) return false;
    previous = index;
  }
  return true;
}

export function parseChildMessage(value: unknown): ChildMessage {
  const m = value as Record<string, unknown> | null;
  if (typeof m === 'object' && m !== null) {
    switch (m.t) {
      case 'ok':
        if (isId(m.id)) return m as unknown as ChildMessage;
        break;
      case 'err':
        if (isId(m.id) && isThrown(m.e)) return m as unknown as ChildMessage;
        break;
      case 'ready':
        if (
          Array.isArray(m.methods) &&
          m.methods.every((name) => typeof name === 'string') &&
          (m.emitter === undefined || typeof m.emitter === 'boolean')
        )
          return m as unknown as ChildMessage;
        break;
      case 'cb':
        if (isId(m.id) && isIndex(m.f) && isId(m.n) && Array.isArray(m.a) && areErrorArgs(m.x, m.a))
          return m as unknown as ChildMessage;
        break;
      case 'ev':
        if (typeof m.e === 'string' && Array.isArray(m.a) && areErrorArgs(m.x, m.a))
          return m as unknown as ChildMessage;
        break;
      case 'init-error':
        if ((m.kind === 'resolution' || m.kind === 'load') && isThrown(m.e))
          return m as unknown as ChildMessage;
        break;
      case 'fatal':
        if (isThrown(m.e)) return m as unknown as ChildMessage;
        break;
      case 'disposed':
        return m as unknown as ChildMessage;
    }
  }
  throw new TransportError(`not a child message: ${String(JSON.stringify(value))?.slice(0, 80)}`);
}
