// Checks that a decoded value from a child is a well-formed child message; anything else is a protocol violation.
import { type ChildMessage, type Thrown, thrownLimits } from './protocol.js';
import { TransportError } from './transport.js';

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** How many more Thrown the message being parsed may hold (see thrownLimits). */
interface Budget {
  left: number;
}

const budget = (): Budget => ({ left: 2 * thrownLimits.count });

/** Errors nest one level per Thrown of kind `error`; their causes, aggregated errors and fields one more. */
function isThrown(value: unknown, b: Budget, depth = 0): value is Thrown {
  if (--b.left < 0) return false;
  const t = value as { k?: unknown; error?: unknown; text?: unknown } | null;
  if (typeof t !== 'object' || t === null) return false;
  if (t.k === 'value') return true;
  if (t.k === 'opaque') return typeof t.text === 'string';
  if (t.k !== 'error' || typeof t.error !== 'object' || t.error === null || depth >= thrownLimits.depth) {
    return false;
  }
  const e = t.error as Record<string, unknown>;
  const inner = (x: unknown) => isThrown(x, b, depth + 1);
  return (
    typeof e.base === 'string' &&
    typeof e.name === 'string' &&
    typeof e.message === 'string' &&
    (e.stack === undefined || typeof e.stack === 'string') &&
    (e.cause === undefined || inner(e.cause)) &&
    (e.errors === undefined || (Array.isArray(e.errors) && e.errors.every(inner))) &&
    Array.isArray(e.props) &&
    e.props.every(
      (p: unknown) =>
        Array.isArray(p) &&
        p.length === 3 &&
        typeof p[0] === 'string' &&
        inner(p[1]) &&
        typeof p[2] === 'boolean',
    )
  );
}

/** No `x`, or ascending indices of arguments in `args` that each hold a Thrown. */
function areErrorArgs(x: unknown, args: readonly unknown[]): boolean {
  if (x === undefined) return true;
  if (!Array.isArray(x) || x.length === 0) return false;
  const b = budget();
  let previous = -1;
  for (const index of x as unknown[]) {
    if (!isIndex(index) || index <= previous || index >= args.length || !isThrown(args[index], b))
      return false;
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
        if (isId(m.id) && isThrown(m.e, budget())) return m as unknown as ChildMessage;
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
        if ((m.kind === 'resolution' || m.kind === 'load') && isThrown(m.e, budget()))
          return m as unknown as ChildMessage;
        break;
      case 'fatal':
        if (isThrown(m.e, budget())) return m as unknown as ChildMessage;
        break;
      case 'disposed':
        return m as unknown as ChildMessage;
    }
  }
  throw new TransportError(`not a child message: ${preview(value)}`);
}

/** A few words on a value that is not a message; not the whole of it, which a hostile child makes huge. */
function preview(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value).slice(0, 80);
  const t = (value as { t?: unknown }).t;
  return typeof t === 'string'
    ? `a '${t.slice(0, 40)}' message of the wrong shape`
    : 'an object with no message type';
}
